package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchGenerate(t *testing.T) {
	t.Setenv("GROUPD_ADMIN_PASSWORD", "Admin-Passw0rd")
	dir := t.TempDir()
	code, stdout, stderr := groupd("bench", "generate", "--data-dir", dir,
		"--users", "50", "--groups", "10", "--memberships", "120", "--depth", "3", "--seed", "9")
	if code != exitOK {
		t.Fatalf("bench generate: exit %d: %s", code, stderr)
	}
	// Exactly one JSON object on stdout; no progress (stderr is no terminal).
	dec := json.NewDecoder(strings.NewReader(stdout))
	var out struct {
		TenantID                                   string
		Users, Groups, Memberships                 int
		SampleUserIDs, SampleGroupIDs, DeepUserIDs []string
		DeepGroupIDs                               []string
	}
	if err := dec.Decode(&out); err != nil || dec.More() {
		t.Fatalf("stdout is not one JSON object: %q (%v)", stdout, err)
	}
	if out.TenantID == "" || out.Users != 50 || out.Groups != 10 || out.Memberships != 120 ||
		len(out.SampleUserIDs) != 10 || len(out.SampleGroupIDs) != 10 || len(out.DeepUserIDs) == 0 || len(out.DeepGroupIDs) != 3 {
		t.Errorf("bench generate printed %s", stdout)
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing when it is not a terminal", stderr)
	}

	for _, args := range [][]string{
		{"--depth", "0"},
		{"--users", "2", "--groups", "2", "--memberships", "9", "--depth", "1"},
	} {
		code, _, stderr := groupd(append([]string{"bench", "generate", "--data-dir", t.TempDir()}, args...)...)
		if code != exitUsage || stderr == "" {
			t.Errorf("bench generate %v: exit %d, stderr %q; want %d and a reason", args, code, stderr, exitUsage)
		}
	}
}
