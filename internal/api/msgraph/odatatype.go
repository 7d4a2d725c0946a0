package msgraph

import (
	"strings"

	"groupd/internal/api/httpx"
)

// A body's @odata.type names the entity type it is written as. Graph's
// SDKs put it on every write ("#microsoft.graph.group"), so the resource's
// own type is accepted however it is spelled: with or without '#', by the
// namespace or its alias graph. Another type is refused as Graph's OData
// reader refuses it, so that a body built for a user never updates a group.

// knownTypes are the entity types of Graph's model that bodies sent here
// might name, by their name in the namespace: naming one of them for
// another resource is a type mismatch, naming anything else an unknown
// type.
var knownTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range []string{"entity", "directoryObject", "user", "group", "team", "groupSetting",
		"groupSettingTemplate", "invitation", "subscription", "organization"} {
		m[strings.ToLower(t)] = true
	}
	for t := range heldNowhere {
		m[strings.ToLower(t)] = true
	}
	return m
}()

// entityType checks @odata.type against want, the resource's type name
// in the namespace ("group").
func (b *bodyReader) entityType(f httpx.Field, want string) {
	s, ok := httpx.String(f.Value)
	if !ok {
		b.fail(invalidValue(f.Name, b.resource))
		return
	}
	name := strings.TrimPrefix(s, "#")
	local, ok := inGraphNamespace(name)
	switch {
	case ok && strings.EqualFold(local, want):
	case ok && knownTypes[strings.ToLower(local)]:
		b.fail(badRequest(codeRequestBad, "A resource with type 'microsoft.graph.%s' was found, but it is not assignable to the expected type 'microsoft.graph.%s'. "+
			"The type specified in the resource must be equal to either the expected type or a derived type.", local, want))
	default:
		b.fail(badRequest(codeRequestBad, "A type named '%s' could not be resolved by the model. "+
			"When a model is available, each type name must resolve to a valid type.", name))
	}
}

// inGraphNamespace returns a qualified name's name in microsoft.graph,
// written whole or by the alias graph.
func inGraphNamespace(name string) (string, bool) {
	lower := strings.ToLower(name)
	for _, ns := range []string{"microsoft.graph.", "graph."} {
		if strings.HasPrefix(lower, ns) && !strings.Contains(name[len(ns):], ".") && len(name) > len(ns) {
			return name[len(ns):], true
		}
	}
	return "", false
}
