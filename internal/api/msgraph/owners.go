package msgraph

import (
	"net/http"

	"groupd/internal/directory"
)

// listOwners answers GET /groups/{id}/owners.
func (a *api) listOwners(rq *request) error {
	return a.serveList(rq, relationList(directory.SourceOwners, "owners", rq, directory.KindAny))
}

// addOwner answers POST /groups/{id}/owners/$ref. Owners are users; at most
// directory.MaxOwners of them.
func (a *api) addOwner(rq *request) error {
	ref, err := refBody(rq)
	if err != nil {
		return err
	}
	if err := a.dir.AddOwners(rq.ctx, rq.tenant, rq.param("id"), []directory.MemberRef{ref}); err != nil {
		return err
	}
	rq.w.WriteHeader(http.StatusNoContent)
	return nil
}
