// Package generate builds a synthetic directory (users, security groups
// nested as a forest, Microsoft 365 groups, memberships) deterministically
// from a seed, and loads it into a store through the engine's bulk loader.
// It backs `groupd bench generate`, which makes the directories the
// benchmarks run on.
package generate
