package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// serverLatencies reads only the lines after the offset, of the path
// asked, answered 2xx within the window, and sorts their durations.
func TestServerLatencies(t *testing.T) {
	log := filepath.Join(t.TempDir(), "groupd.log")
	before := `{"time":"2026-12-07T15:39:07.900Z","level":"INFO","msg":"request","method":"POST","path":"/api/ProvisionGroup","status":201,"duration_ms":99}` + "\n"
	lines := before +
		`{"time":"2026-12-07T15:39:08.188286986Z","level":"INFO","msg":"request","method":"POST","path":"/api/ProvisionGroup","status":201,"bytes":1293,"duration_ms":41.396,"request_id":"d0","remote":"127.0.0.1"}` + "\n" +
		`{"time":"2026-12-07T15:39:08.2Z","level":"INFO","msg":"request","method":"POST","path":"/api/ProvisionGroup","status":201,"duration_ms":12.5}` + "\n" +
		`{"time":"2026-12-07T15:39:08.3Z","level":"INFO","msg":"request","method":"POST","path":"/api/ProvisionGroup","status":409,"duration_ms":3}` + "\n" +
		`{"time":"2026-12-07T15:39:08.4Z","level":"INFO","msg":"request","method":"GET","path":"/v1.0/groups","status":200,"duration_ms":1}` + "\n" +
		`{"time":"2026-12-07T15:39:08.5Z","level":"WARN","msg":"slow checkpoint"}` + "\n" +
		"not json\n" +
		`{"time":"2026-12-07T15:39:09.5Z","level":"INFO","msg":"request","method":"POST","path":"/api/ProvisionGroup","status":201,"duration_ms":7}` + "\n"
	if err := os.WriteFile(log, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 12, 7, 15, 39, 7, 0, time.UTC)
	to := time.Date(2026, 12, 7, 15, 39, 9, 0, time.UTC)
	got, err := serverLatencies(log, int64(len(before)), "/api/ProvisionGroup", from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{12500 * time.Microsecond, 41396 * time.Microsecond}
	if !slices.Equal(got, want) {
		t.Errorf("serverLatencies = %v, want %v", got, want)
	}
	if _, err := serverLatencies(filepath.Join(t.TempDir(), "none"), 0, "/", from, to); err == nil {
		t.Error("a log that is not there read without an error")
	}
}
