package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"groupd/internal/api/aadgraph"
)

// httpMetrics are the request metrics. Every label has a small fixed set of
// values (dialect from the path prefix, a known method or "other", the
// status code), so no client can grow the series count.
type httpMetrics struct {
	duration *prometheus.HistogramVec
	requests *prometheus.CounterVec
}

// latencyBuckets start well below a millisecond: a GET by id is expected to
// take a fraction of one, and the default buckets begin at 5 ms.
var latencyBuckets = []float64{0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	labels := []string{"dialect", "method", "code"}
	m := &httpMetrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "groupd_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by dialect, method and status code.",
			Buckets: latencyBuckets,
		}, labels),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "groupd_http_requests_total",
			Help: "HTTP requests answered, by dialect, method and status code.",
		}, labels),
	}
	var err error
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if _, err := register(reg, c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// register adds c to reg, or returns the equal collector registered before,
// so that building a second handler on the same registry (tests, reloads)
// keeps counting into the same series instead of failing.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}

func (m *httpMetrics) observe(r *http.Request, status int, d time.Duration) {
	dialect, method, code := dialectOf(r.URL.Path), methodLabel(r.Method), strconv.Itoa(status)
	m.duration.WithLabelValues(dialect, method, code).Observe(d.Seconds())
	m.requests.WithLabelValues(dialect, method, code).Inc()
}

// dialectOf names the part of groupd a path belongs to; any path outside
// them is "none", whatever it is.
func dialectOf(path string) string {
	switch {
	case hasPrefixSegment(path, prefixMSGraph):
		return "msgraph"
	case hasPrefixSegment(path, prefixLibreGraph):
		return "libregraph"
	case path == "/healthz" || path == "/readyz":
		return "health"
	case path == "/metrics":
		return "metrics"
	case isAADGraph(path):
		return "aadgraph"
	}
	return "none"
}

// isAADGraph: the first segment can name a tenant and the second is not
// one of the identity endpoints that share the /{tenant}/ root.
func isAADGraph(path string) bool {
	seg, rest, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !ok || !aadgraph.TenantShaped(seg) {
		return false
	}
	next, _, _ := strings.Cut(rest, "/")
	switch next {
	case "oauth2", "v2.0", ".well-known", "discovery":
		return false
	}
	return true
}

// hasPrefixSegment reports whether path is prefix or lies below it.
func hasPrefixSegment(path, prefix string) bool {
	return strings.HasPrefix(path, prefix) && (len(path) == len(prefix) || path[len(prefix)] == '/')
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}
