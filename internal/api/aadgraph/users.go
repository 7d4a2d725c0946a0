package aadgraph

import (
	"net/http"

	"groupd/internal/directory"
)

const (
	userSetFragment = "directoryObjects/" + typeUser
	usersNextPath   = "directoryObjects/$/" + typeUser
)

func (a *api) listUsers(rq *request) error {
	if rq.isDifferential() {
		return a.differential(rq, directory.KindUser, "users", "")
	}
	lq, err := a.parseList(rq, userSchema, "users")
	if err != nil {
		return err
	}
	page, err := a.dir.List(rq.ctx, rq.tenant, lq.pageQuery(directory.SourceUsers, ""), directory.KindAny)
	if err != nil {
		return err
	}
	items := make([]userEntity, 0, len(page.Items))
	for i := range page.Items {
		if u := page.Items[i].User; u != nil {
			items = append(items, newUserEntity(u))
		}
	}
	return sendJSON(rq.w, http.StatusOK, collection{Metadata: rq.metadata(userSetFragment), Value: items,
		NextLink: nextLink(usersNextPath, "users", lq, page.Next)})
}

// getUser answers GET /users/{objectId or userPrincipalName}.
func (a *api) getUser(rq *request) error {
	if err := rq.noOptions(); err != nil {
		return err
	}
	u, err := a.dir.User(rq.ctx, rq.tenant, rq.param("id"))
	if err != nil {
		return err
	}
	out := newUserEntity(&u)
	out.Metadata = rq.metadata(userSetFragment + "/@Element")
	return sendJSON(rq.w, http.StatusOK, out)
}
