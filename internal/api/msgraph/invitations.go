package msgraph

import (
	"net/http"

	"groupd/internal/api/httpx"
	"groupd/internal/directory"
)

// invite answers POST /invitations: the invited user is created as a
// guest at once and named in invitedUser. groupd sends no invitation mail
// (sendInvitationMessage comes back false) and has no redemption page, so
// inviteRedeemUrl is where a redeemed invitation would lead: the
// inviteRedirectUrl.
func (a *api) invite(rq *request) error {
	obj, err := httpx.DecodeObject(rq.w, rq.r)
	if err != nil {
		return err
	}
	var inv directory.Invitation
	b := bodyReader{resource: "Invitation"}
	for _, f := range obj {
		if b.dup(f.Name) {
			return b.err
		}
		switch f.Name {
		case "@odata.type":
			b.entityType(f, "invitation")
		case "invitedUserEmailAddress":
			if v := b.str(f); v != nil {
				inv.Email = *v
			}
		case "inviteRedirectUrl":
			if v := b.str(f); v != nil {
				inv.RedirectURL = *v
			}
		case "invitedUserDisplayName":
			inv.DisplayName = b.str(f)
		case "invitedUserType":
			inv.UserType = b.str(f)
		case "sendInvitationMessage":
			b.boolean(f)
		case "invitedUserMessageInfo":
			// Accepted and not kept: groupd sends no message.
			if _, err := httpx.ParseObject(f.Value); err != nil && !httpx.IsNull(f.Value) {
				b.fail(invalidValue(f.Name, b.resource))
			}
		case "resetRedemption":
			if v := b.boolean(f); v != nil && *v {
				b.fail(withTarget(badRequest(codeRequestBad,
					"resetRedemption is not supported: groupd keeps no redemption state to reset."), f.Name, "InvalidValue"))
			}
		case "id", "inviteRedeemUrl", "status", "invitedUser":
			b.fail(readOnlyProperty(f.Name))
		default:
			b.fail(invalidProperty(f.Name))
		}
		if b.err != nil {
			return b.err
		}
	}
	res, err := a.dir.Invite(rq.ctx, rq.tenant, inv)
	if err != nil {
		return err
	}
	e := getEnc()
	e.beginObject()
	e.metadataContext(rq.base, "invitations", "", true)
	e.key("id")
	e.str(string(directory.NewObjectID()))
	e.key("inviteRedeemUrl")
	e.str(inv.RedirectURL)
	e.key("invitedUserDisplayName")
	if inv.DisplayName != nil && *inv.DisplayName != "" {
		e.str(*inv.DisplayName)
	} else {
		e.raw("null")
	}
	e.key("invitedUserType")
	e.str(userType(res.User.UserType))
	e.key("invitedUserEmailAddress")
	e.str(inv.Email)
	e.key("sendInvitationMessage")
	e.raw("false")
	e.key("resetRedemption")
	e.raw("false")
	e.key("inviteRedirectUrl")
	e.str(inv.RedirectURL)
	e.key("status")
	e.str("PendingAcceptance")
	e.key("invitedUserMessageInfo")
	e.raw(`{"messageLanguage":null,"customizedMessageBody":null,"ccRecipients":[]}`)
	e.key("invitedUser")
	e.beginObject()
	e.key("id")
	e.str(string(res.User.ID))
	e.endObject()
	e.endObject()
	send(rq.w, http.StatusCreated, e)
	return nil
}
