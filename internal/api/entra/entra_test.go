package entra

import "testing"

func TestMessages(t *testing.T) {
	for got, want := range map[string]string{
		GuestRefused("members"): "Guests users are not allowed to join this Unified Group due to policy setting. paramName: Members, paramValue: , objectType: Microsoft.Online.DirectoryServices.Group",
		GuestRefused("owners"):  "Guests users are not allowed to be owners of this Unified Group due to policy setting. paramName: Owners, paramValue: , objectType: Microsoft.Online.DirectoryServices.Group",
		NotFound("x-1"):         "Resource 'x-1' does not exist or one of its queried reference-property objects are not present.",
	} {
		if got != want {
			t.Errorf("got %q\nwant %q", got, want)
		}
	}
}
