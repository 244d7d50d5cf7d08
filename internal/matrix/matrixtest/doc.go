// Package matrixtest plays a person on Element in tests: a mautrix client
// with its own device and keys, talking to the bot through the real
// homeserver of internal/testenv. It is built with the goolm tag (the
// client encrypts as the bot does); it lives under internal/matrix, the
// only place allowed to import mautrix.
package matrixtest
