package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"groupd/internal/directory"
	"groupd/internal/generate"
	"groupd/internal/store"
	"groupd/internal/store/bulk"
)

// Generated is what Generate made.
type Generated struct {
	generate.Summary
	// AdminPassword is the generated password of the admin when Generate
	// created the default tenant and $GROUPD_ADMIN_PASSWORD was not set.
	AdminPassword string `json:"-"`
}

// Generate writes a synthetic directory (package generate) into the default
// tenant of the store, creating the store and tenant as the first start of
// serve does (domain and admin password alike). Run it while no server
// runs on the store: the bulk load writes no change log rows, so a running
// server's caches would not hear of the new objects.
func Generate(ctx context.Context, ref StoreRef, domain string, c generate.Config, progress bulk.Progress) (out Generated, err error) {
	if err := c.Validate(); err != nil {
		return out, err
	}
	st, err := store.Open(ctx, ref.DataDir, ref.DatabaseURL)
	if err != nil {
		return out, fmt.Errorf("open store: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}()
	if domain == "" {
		domain = DefaultDomain
	}
	loader, ok := st.(store.BulkLoader)
	if !ok {
		return out, errors.New("this storage engine cannot bulk load")
	}
	boot, err := bootstrap(ctx, directory.New(st), domain, os.Getenv(AdminPasswordEnv))
	if err != nil {
		return out, err
	}
	out.AdminPassword = boot.GeneratedPassword
	data, sum, err := generate.Build(c, boot.Tenant, time.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return out, err
	}
	if err := loader.BulkLoad(ctx, data, progress); err != nil {
		return out, err
	}
	out.Summary = sum
	return out, nil
}
