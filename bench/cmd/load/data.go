package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// summary is what `groupd bench generate` prints (DESIGN.md).
type summary struct {
	TenantID       string   `json:"tenantId"`
	Users          int      `json:"users"`
	Groups         int      `json:"groups"`
	Memberships    int      `json:"memberships"`
	SampleUserIDs  []string `json:"sampleUserIds"`
	SampleGroupIDs []string `json:"sampleGroupIds"`
	DeepUserIDs    []string `json:"deepUserIds"`
	DeepGroupIDs   []string `json:"deepGroupIds"`
}

// dataset is a generated directory and how to sign in to it; kept in
// dataset.json next to the data so that a later run can reuse it (-data).
type dataset struct {
	Password string        `json:"password"`
	Summary  summary       `json:"summary"`
	Took     time.Duration `json:"generateNanos"`
	Database string        `json:"database,omitempty"`
}

// generated returns the dataset in dir, generating it with the groupd
// binary unless dataset.json says it is there already.
func generated(ctx context.Context, o options, dir string) (dataset, bool, error) {
	file := filepath.Join(dir, "dataset.json")
	var ds dataset
	b, err := os.ReadFile(file)
	if err == nil {
		if err := json.Unmarshal(b, &ds); err != nil {
			return ds, false, fmt.Errorf("%s: %w", file, err)
		}
		if ds.Database != o.database {
			return ds, false, fmt.Errorf("%s was generated for database %q, not %q", dir, ds.Database, o.database)
		}
		return ds, true, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return ds, false, err
	}
	ds = dataset{Password: "Bench-" + rand.Text(), Database: o.database}
	args := []string{"bench", "generate", "--data-dir", filepath.Join(dir, "data"),
		"--users", fmt.Sprint(o.users), "--groups", fmt.Sprint(o.groups),
		"--memberships", fmt.Sprint(o.memberships), "--depth", fmt.Sprint(o.depth), "--seed", "1"}
	if o.database != "" {
		args = append(args, "--database", o.database)
	}
	cmd := exec.CommandContext(ctx, o.groupdBin, args...)
	cmd.Env = append(os.Environ(), "GROUPD_ADMIN_PASSWORD="+ds.Password)
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	out, err := cmd.Output()
	ds.Took = time.Since(t0)
	if err != nil {
		return ds, false, fmt.Errorf("groupd bench generate: %w", err)
	}
	if err := json.Unmarshal(out, &ds.Summary); err != nil || len(ds.Summary.SampleUserIDs) == 0 {
		return ds, false, fmt.Errorf("groupd bench generate printed %q", out)
	}
	b, err = json.Marshal(ds)
	if err != nil {
		return ds, false, err
	}
	return ds, false, os.WriteFile(file, b, 0o600)
}
