package main

import (
	"strings"
	"testing"
)

func TestServeWebhookFlags(t *testing.T) {
	_, stdout, _ := groupd("help", "serve")
	for _, flag := range []string{"--webhook-allow-http", "--webhook-allow-private", "--webhook-allow-hosts"} {
		if !strings.Contains(stdout, flag+" ") && !strings.Contains(stdout, flag+"\n") {
			t.Errorf("help serve lacks %s", flag)
		}
	}
	// The list reaches the server's configuration, which checks it before
	// it opens anything.
	code, _, stderr := groupd("serve", "--insecure-http", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--webhook-allow-private", "--webhook-allow-hosts", "hooks.internal,10.0.0.0/33")
	if code == exitOK || !strings.Contains(stderr, `--webhook-allow-hosts: "10.0.0.0/33"`) {
		t.Errorf("bad --webhook-allow-hosts: exit %d, stderr %q", code, stderr)
	}
}
