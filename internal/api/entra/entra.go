// Package entra holds the words Microsoft Entra ID answers with, which
// the dialects that imitate it (Microsoft Graph, Azure AD Graph and the
// provisioning API) share, so that one message reads the same in each.
// Each dialect puts them into its own error shape.
package entra

// Denied is the message of a call the caller's permissions do not allow.
const Denied = "Insufficient privileges to complete the operation."

// NotFound is the message for an object id that names nothing the caller
// can see.
func NotFound(id string) string {
	return "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."
}

// GuestRefused is the message when a Microsoft 365 group's guest settings
// keep a guest out of its members or owners (relation "members" or
// "owners").
func GuestRefused(relation string) string {
	what, param := "join", "Members"
	if relation == "owners" {
		what, param = "be owners of", "Owners"
	}
	return "Guests users are not allowed to " + what + " this Unified Group due to policy setting. paramName: " +
		param + ", paramValue: , objectType: Microsoft.Online.DirectoryServices.Group"
}
