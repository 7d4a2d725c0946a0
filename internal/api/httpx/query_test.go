package httpx

import (
	"net/url"
	"reflect"
	"testing"
)

func TestParseQuery(t *testing.T) {
	for raw, want := range map[string]url.Values{
		"$expand=manager($levels=max;$select=id,displayName)&$select=id": {
			"$expand": {"manager($levels=max;$select=id,displayName)"}, "$select": {"id"}},
		"%24filter=displayName+eq+%27a%3Bb%27&&x=1&x=2&flag": {
			"$filter": {"displayName eq 'a;b'"}, "x": {"1", "2"}, "flag": {""}},
		"": {},
	} {
		got, err := ParseQuery(raw)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseQuery(%q) = %v, %v; want %v", raw, got, err, want)
		}
	}
	got, err := ParseQuery("a=%zz&b=1")
	if err == nil || !reflect.DeepEqual(got, url.Values{"b": {"1"}}) {
		t.Errorf("a bad escape: %v, %v", got, err)
	}
}
