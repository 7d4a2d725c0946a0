package main
import (
 _ "modernc.org/sqlite"
 _ "github.com/pressly/goose/v3"
 _ "github.com/go-chi/chi/v5"
 _ "github.com/google/uuid"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "golang.org/x/crypto/bcrypt"
 _ "github.com/jackc/pgx/v5"
)
func main(){}
