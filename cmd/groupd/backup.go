package main

import (
	"context"
	"encoding/json"
	"flag"

	"groupd/internal/server"
)

func backupCmd(fs *flag.FlagSet) action {
	storeCfg := storeFlags(fs)
	output := fs.String("output", "", "`FILE` to write the copy to; must not exist (required)")
	return func(ctx context.Context, env cmdEnv) error {
		if *output == "" {
			return usageError("--output is required")
		}
		dataDir, database := storeCfg()
		res, err := server.Backup(ctx, dataDir, database, *output)
		if err != nil {
			return err
		}
		return json.NewEncoder(env.stdout).Encode(res)
	}
}
