package httpx

import (
	"net/url"
	"strings"

	"groupd/internal/directory"
)

// ParseRef reads an @odata.id (or an entry of x@odata.bind): a URL, absolute
// with any host or relative, whose path ends in /directoryObjects/{id},
// /users/{id} or /groups/{id}. Only the collection and the trailing id
// matter (clients copy Microsoft's sample hosts). ok is false for anything
// else. An id that is not a GUID is returned as given so that the caller can
// answer "not found" naming it.
func ParseRef(ref string) (kind directory.ObjectKind, id string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", "", false
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) < 2 {
		return "", "", false
	}
	coll, last := segs[len(segs)-2], segs[len(segs)-1]
	// A trailing type cast (".../directoryObjects/{id}/Microsoft.DirectoryServices.User")
	// is how link lists name objects; accept it on input too.
	if len(segs) >= 3 && strings.Contains(last, ".") && !strings.Contains(coll, ".") {
		if k, ok := castKind(last); ok && strings.EqualFold(segs[len(segs)-3], "directoryObjects") {
			return k, coll, coll != ""
		}
	}
	if last == "" {
		return "", "", false
	}
	switch strings.ToLower(coll) {
	case "directoryobjects":
		return directory.KindAny, last, true
	case "users":
		return directory.KindUser, last, true
	case "groups":
		return directory.KindGroup, last, true
	}
	return "", "", false
}

func castKind(seg string) (directory.ObjectKind, bool) {
	switch strings.ToLower(seg) {
	case "microsoft.graph.user", "microsoft.directoryservices.user":
		return directory.KindUser, true
	case "microsoft.graph.group", "microsoft.directoryservices.group":
		return directory.KindGroup, true
	}
	return "", false
}
