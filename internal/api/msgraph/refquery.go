package msgraph

import (
	"net/http"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// A relationship entry may also be removed by naming it in the query of
// the collection's $ref: DELETE /groups/{id}/members/$ref?@id=<URL of the
// object>, as Graph's SDKs send it (OData spells the parameter $id).

// removeByQuery answers DELETE /groups/{id}/{members|owners}/$ref?@id=….
func (a *api) removeByQuery(remove func(*request, string) error) handlerFunc {
	return func(rq *request) error {
		id, err := refFromQuery(rq)
		if err != nil {
			return err
		}
		if err := remove(rq, id); err != nil {
			return err
		}
		rq.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// refFromQuery reads the object @id (or $id) names: the URL of a
// directory object, as in @odata.id, or its bare id.
func refFromQuery(rq *request) (string, error) {
	values, err := httpx.ParseQuery(rq.r.URL.RawQuery)
	if err != nil {
		return "", badRequest(codeBadRequest, "The query string is not valid: '%s'.", rq.r.URL.RawQuery)
	}
	var refs []string
	for k, v := range values {
		switch {
		case k == "@id" || strings.EqualFold(k, "$id"):
			refs = append(refs, v...)
		case strings.HasPrefix(k, "$"):
			return "", badRequest(codeUnsupportedQuery, "The query option '%s' is not supported on this resource.", k)
		}
	}
	switch len(refs) {
	case 0:
		return "", badRequest(codeBadRequest, "Name the object to remove: …/$ref?@id=https://graph.microsoft.com/v1.0/directoryObjects/{id}.")
	case 1:
	default:
		return "", badRequest(codeBadRequest, "The object to remove was named more than once: give one @id.")
	}
	if _, id, ok := httpx.ParseRef(refs[0]); ok {
		return id, nil
	}
	if id, ok := directory.ParseObjectID(strings.TrimSpace(refs[0])); ok {
		return string(id), nil
	}
	return "", badRequest(codeBadRequest, "Invalid @id '%s': expected the URL of a directory object, such as https://graph.microsoft.com/v1.0/directoryObjects/{id}.", refs[0])
}
