package provision

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// response is the serialized HTTP response object GT365 answers with: the
// response of the underlying group create, with the request that made it.
type response struct {
	Version             version       `json:"version"`
	Content             content       `json:"content"`
	StatusCode          int           `json:"statusCode"`
	ReasonPhrase        string        `json:"reasonPhrase"`
	Headers             []header      `json:"headers"`
	RequestMessage      requestRecord `json:"requestMessage"`
	IsSuccessStatusCode bool          `json:"isSuccessStatusCode"`
}

type version struct {
	Major         int `json:"major"`
	Minor         int `json:"minor"`
	Build         int `json:"build"`
	Revision      int `json:"revision"`
	MajorRevision int `json:"majorRevision"`
	MinorRevision int `json:"minorRevision"`
}

type content struct {
	Headers []header `json:"headers"`
}

type header struct {
	Key   string   `json:"key"`
	Value []string `json:"value"`
}

type requestRecord struct {
	Version    version        `json:"version"`
	Content    content        `json:"content"`
	Method     method         `json:"method"`
	RequestURI string         `json:"requestUri"`
	Headers    []header       `json:"headers"`
	Properties map[string]any `json:"properties"`
}

type method struct {
	Method string `json:"method"`
}

// createBody is the Microsoft Graph create call the provisioning stands
// for; requestMessage reports its length.
type createBody struct {
	DisplayName     string   `json:"displayName"`
	MailNickname    string   `json:"mailNickname"`
	Description     string   `json:"description,omitempty"`
	MailEnabled     bool     `json:"mailEnabled"`
	SecurityEnabled bool     `json:"securityEnabled"`
	GroupTypes      []string `json:"groupTypes"`
	Visibility      string   `json:"visibility"`
	Classification  string   `json:"classification,omitempty"`
	Owners          []string `json:"owners@odata.bind"`
	Members         []string `json:"members@odata.bind"`
}

func httpVersion(major, minor int) version {
	return version{Major: major, Minor: minor, Build: -1, Revision: -1, MajorRevision: -1, MinorRevision: -1}
}

func newResponse(ctx context.Context, origin string, g directory.Group, rq request, took time.Duration) response {
	rid := httpx.RequestID(ctx)
	body := createBody{DisplayName: g.DisplayName, MailNickname: g.MailNickname, Description: g.Description,
		MailEnabled: g.MailEnabled, SecurityEnabled: g.SecurityEnabled, GroupTypes: g.GroupTypes,
		Visibility: g.Visibility, Classification: g.Classification,
		Owners: userBinds(origin, rq.OwnerUPNs), Members: userBinds(origin, rq.MemberUPNs)}
	b, _ := json.Marshal(body) // strings, bools and slices: cannot fail
	return response{
		Version: httpVersion(1, 1),
		Content: content{Headers: []header{{"Content-Type", []string{
			"application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"}}}},
		StatusCode:   http.StatusCreated,
		ReasonPhrase: http.StatusText(http.StatusCreated),
		Headers: []header{
			{"Cache-Control", []string{"private"}},
			{"Location", []string{groupURL(origin, g.ID)}},
			{"request-id", []string{rid}},
			{"client-request-id", []string{httpx.ClientRequestID(ctx)}},
			{"OData-Version", []string{"4.0"}},
			{"Duration", []string{strconv.FormatFloat(float64(took.Microseconds())/1000, 'f', 4, 64)}},
			{"Date", []string{time.Now().UTC().Format(http.TimeFormat)}},
		},
		RequestMessage: requestRecord{
			Version: httpVersion(2, 0),
			Content: content{Headers: []header{
				{"Content-Type", []string{"application/json; charset=utf-8"}},
				{"Content-Length", []string{strconv.Itoa(len(b))}},
			}},
			Method:     method{http.MethodPost},
			RequestURI: origin + "/v1.0/groups",
			Headers: []header{
				// The caller's credential is never echoed; GT365 redacts it
				// the same way.
				{"Authorization", []string{"Bearer {some-value}"}},
				{"Accept", []string{"application/json"}},
				{"Request-Id", []string{rid}},
			},
			Properties: map[string]any{},
		},
		IsSuccessStatusCode: true,
	}
}

func userBinds(origin string, upns []string) []string {
	out := make([]string, len(upns))
	for i, u := range upns {
		out[i] = origin + "/v1.0/users/" + u
	}
	return out
}
