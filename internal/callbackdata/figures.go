package callbackdata

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Figures flows (/indicateurs, /meschiffres, /export, /activite) are
// stateless: each button carries the choices made so far,
// "<flow>:<period>[:<scope tag>[:<format>]]", and every press re-checks what
// the user may see.
const (
	FlowIndicators = "i"
	FlowOwn        = "m"
	FlowExport     = "e"
	FlowActivity   = "a"
)

// PeriodCode is a period in figures data: "20261116-20261122".
func PeriodCode(from, to time.Time) string {
	return from.Format("20060102") + "-" + to.Format("20060102")
}

// ScopeTag is a short fingerprint of a territory's key for figures data (a
// structure's name can be too long for Telegram's 64 bytes). A press is
// matched against the user's current territories, so a forged tag can only
// name one of those, and an old button still gives the territory written on
// it even when the list of territories changed.
func ScopeTag(scopeKey string) string {
	h := sha256.Sum256([]byte(scopeKey))
	return hex.EncodeToString(h[:5])
}

// Figures asks flow for the figures of period and the territory tagged tag,
// in format ("v": shown in the chat, "xlsx": a file).
func Figures(flow, period, tag, format string) string {
	return join(flow, period, tag, format)
}
