package main

import (
	"context"
	"encoding/json"
	"flag"

	"groupd/internal/server"
)

func migrateCmd(fs *flag.FlagSet) action {
	storeCfg := storeFlags(fs)
	return func(ctx context.Context, env cmdEnv) error {
		dataDir, database := storeCfg()
		s, err := server.Migrate(ctx, dataDir, database)
		if err != nil {
			return err
		}
		return json.NewEncoder(env.stdout).Encode(s)
	}
}
