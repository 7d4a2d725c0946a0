package server

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// recorder remembers what was written so that the access log, the metrics
// and the panic handler can see it. One recorder is made per request by the
// outermost middleware and found again by type assertion further in, so the
// request pays for one wrapper, not three.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(code int) {
	// 1xx answers (103 Early Hints) precede the final status.
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush, deadlines and hijacking;
// handlers below use the controller rather than asserting http.Flusher.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func asRecorder(w http.ResponseWriter) *recorder {
	if rec, ok := w.(*recorder); ok {
		return rec
	}
	return &recorder{ResponseWriter: w}
}

// recoverer is the last resort: a panic anywhere below becomes a logged
// stack and, unless the response has begun, a JSON 500 without internal
// text. http.ErrAbortHandler is passed on so the server drops the
// connection quietly, as net/http intends.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := asRecorder(w)
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if p == http.ErrAbortHandler {
					panic(p)
				}
				// The request id header is set before any handler runs, so it
				// is there even though the id's context was unwound.
				log.Error("panic serving request", "panic", p, "method", r.Method, "path", r.URL.Path,
					"request_id", rec.Header().Get("Request-Id"), "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeError(rec, http.StatusInternalServerError, "InternalServerError", "An internal error occurred.")
				}
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// origins maps the Host a request names to the public origin configured for
// it. Matching is on host and port first, then on the host name alone, so
// that a proxy which forwards Host without the public port still matches.
type origins struct {
	exact  map[string]string
	byName map[string]string
}

func newOrigins(publicURLs []string) (*origins, error) {
	o := &origins{exact: map[string]string{}, byName: map[string]string{}}
	for _, raw := range publicURLs {
		u, err := parseOrigin(raw)
		if err != nil {
			return nil, err
		}
		origin := u.Scheme + "://" + u.Host
		if _, ok := o.exact[u.Host]; !ok {
			o.exact[u.Host] = origin
		}
		if _, ok := o.byName[u.Hostname()]; !ok {
			o.byName[u.Hostname()] = origin
		}
	}
	return o, nil
}

func (o *origins) lookup(host string) (string, bool) {
	host = strings.ToLower(host)
	if s, ok := o.exact[host]; ok {
		return s, true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	s, ok := o.byName[strings.Trim(name, "[]")]
	return s, ok
}

// middleware records the origin for every handler below (httpx.Origin).
func (o *origins) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin, ok := o.lookup(r.Host)
		if !ok {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			origin = scheme + "://" + r.Host
		}
		next.ServeHTTP(w, r.WithContext(httpx.WithOrigin(r.Context(), origin)))
	})
}

// observe writes the access log line and the request metrics. A panicking
// request is counted as the 500 that recoverer will answer, then the panic
// continues outward.
func observe(log *slog.Logger, m *httpMetrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := asRecorder(w)
			start := time.Now()
			defer func() {
				p := recover()
				status := rec.status
				if p != nil && status == 0 {
					status = http.StatusInternalServerError
				} else if status == 0 {
					status = http.StatusOK // net/http's implicit answer
				}
				d := time.Since(start)
				m.observe(r, status, d)
				log.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.Int("status", status), slog.Int64("bytes", rec.bytes),
					slog.Float64("duration_ms", float64(d.Microseconds())/1000),
					slog.String("request_id", httpx.RequestID(r.Context())),
					slog.String("remote", httpx.ClientAddr(r)))
				if p != nil {
					panic(p)
				}
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// errorBody is the neutral error shape used outside the dialects; it is the
// Microsoft Graph shape, which LibreGraph shares.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, message
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own fixed shapes come here; failing to encode them is a bug.
		panic(fmt.Errorf("server: encode response: %w", err))
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// scoped begins each request's scope in the directory, so that the
// request's reads share one check of the caches (Service.BeginRequest).
func scoped(svc *directory.Service) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if scoped := svc.BeginRequest(ctx); scoped != ctx {
				r = r.WithContext(scoped)
			}
			next.ServeHTTP(w, r)
		})
	}
}
