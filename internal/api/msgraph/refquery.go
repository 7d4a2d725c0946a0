package msgraph

import (
	"context"
	"net/http"
	"strings"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// A member or owner is removed by naming it in the path,
// DELETE /groups/{id}/members/{ref}/$ref, or in the query of the
// collection's $ref: DELETE /groups/{id}/members/$ref?@id=<URL of the
// object>, as Graph's SDKs send it (OData spells the parameter $id).

// removal removes ref from the members or owners of the group groupKey.
type removal func(ctx context.Context, tenant directory.TenantID, groupKey, ref string) error

// removeRelated answers DELETE of a member's or owner's $ref, the object
// named where ref finds it.
func (a *api) removeRelated(remove removal, ref func(*request) (string, error)) handlerFunc {
	return func(rq *request) error {
		id, err := ref(rq)
		if err != nil {
			return err
		}
		if err := remove(rq.ctx, rq.tenant, rq.param("id"), id); err != nil {
			return err
		}
		rq.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// refFromPath reads the object the path names ({ref}).
func refFromPath(rq *request) (string, error) { return rq.param("ref"), nil }

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
