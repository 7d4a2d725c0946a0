// Package webhook delivers Microsoft Graph change notifications: the
// validation handshake with a notification URL when a subscription is
// made, and the worker that moves changes from the change log to the
// outbox (directory.Service.DispatchNotifications) and POSTs the outbox
// to the receivers, retrying with exponential backoff and dropping a
// subscription whose receiver keeps failing. Everything it must not lose
// is in the database, so a restart resumes where it stopped.
package webhook
