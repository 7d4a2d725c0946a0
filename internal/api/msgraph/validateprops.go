package msgraph

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"groupd/internal/api/httpx"
	"groupd/internal/auth"
	"groupd/internal/directory"
)

const validateProperties = "validateProperties"

func (a *api) mountValidateProperties(r chi.Router) {
	r.Post("/directoryObjects/validateProperties", a.endpoint(auth.NeedGroupRead, 0, "Group", a.validateNames(false)))
	r.Post("/groups/validateProperties", a.endpoint(auth.NeedGroupRead, 0, "Group", a.validateNames(false)))
	r.Post("/groups/{id}/validateProperties", a.endpoint(auth.NeedGroupRead, 0, "Group", a.validateNames(true)))
}

// validateNames answers validateProperties: 204 when the names pass the
// tenant's Group.Unified policy, 422 with the problems otherwise. The
// directoryObjects form checks a new group's names (and needs entityType
// Group); the group form those of a rename of the group.
func (a *api) validateNames(ofGroup bool) handlerFunc {
	return func(rq *request) error {
		n, err := validateBody(rq, ofGroup)
		if err != nil {
			return err
		}
		if ofGroup {
			id, ok := directory.ParseObjectID(rq.param("id"))
			if !ok {
				return &directory.NotFoundError{Kind: directory.KindGroup, ID: rq.param("id")}
			}
			n.Group = id
		}
		if err := a.dir.ValidateGroupNames(rq.ctx, rq.tenant, n); err != nil {
			return err
		}
		rq.w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// validateBody reads {"entityType", "displayName", "mailNickname",
// "onBehalfOfUserId"}; entityType only without a group, where it is
// required and must be Group.
func validateBody(rq *request, ofGroup bool) (directory.GroupNames, error) {
	var n directory.GroupNames
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return n, err
	}
	b := bodyReader{resource: validateProperties}
	entity := ""
	for _, f := range obj {
		if b.dup(f.Name) {
			return n, b.err
		}
		switch f.Name {
		case "entityType":
			if ofGroup {
				b.fail(notParameter(f.Name, validateProperties))
			} else if v := b.str(f); v != nil {
				entity = *v
			}
		case "displayName":
			n.DisplayName = b.str(f)
		case "mailNickname":
			n.MailNickname = b.str(f)
		case "onBehalfOfUserId":
			if v := b.str(f); v != nil {
				id, ok := directory.ParseObjectID(*v)
				if !ok {
					b.fail(badRequest(codeRequestBad, "Invalid object identifier '%s'.", *v))
				}
				n.OnBehalfOf = id
			}
		default:
			b.fail(notParameter(f.Name, validateProperties))
		}
		if b.err != nil {
			return n, b.err
		}
	}
	if n.DisplayName == nil && n.MailNickname == nil {
		return n, badRequest(codeRequestBad, "At least one of displayName and mailNickname is required.")
	}
	if !ofGroup && !strings.EqualFold(entity, "Group") {
		return n, withTarget(badRequest(codeRequestBad, "Property entityType must be Group: validateProperties checks the names of Microsoft 365 groups."),
			"entityType", "InvalidValue")
	}
	return n, nil
}

// namePolicyError is Graph's 422 for names that break the policy, one
// detail per problem.
func namePolicyError(e *directory.NamePolicyError) *apiError {
	out := &apiError{status: http.StatusUnprocessableEntity, code: "Request_UnprocessableEntity",
		message: "The values provided contain one or more validation errors."}
	for _, p := range e.Problems {
		d := errorDetail{target: p.Property}
		switch p.Kind {
		case directory.NameMissingPrefixSuffix:
			d.code = "MissingPrefixSuffix"
			d.message = "Property " + p.Property + " is missing a required prefix/suffix per your organization's Group naming requirements."
			d.more = [][2]string{{"prefix", p.Prefix}, {"suffix", p.Suffix}}
		case directory.NameBlockedWord:
			d.code = "ContainsBlockedWord"
			d.message = "Property " + p.Property + " contains the blocked word '" + p.Word + "' per your organization's Group naming requirements."
			d.more = [][2]string{{"blockedWord", p.Word}}
		case directory.NameTaken:
			d.code = "PropertyConflict"
			d.message = "Another object with the same value for property " + p.Property + " already exists."
		}
		out.details = append(out.details, d)
	}
	return out
}
