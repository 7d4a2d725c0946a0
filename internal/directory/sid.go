package directory

// SecurityIdentifier is the SID a group with this id gets, for tools that
// build groups outside the Service (bench generate writes them in bulk).
func SecurityIdentifier(id ObjectID) string { return securityIdentifier(id) }
