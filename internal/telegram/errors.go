package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// apiError finds the Bot API's answer in err, if err is one.
func apiError(err error) (*tgbotapi.Error, bool) {
	var p *tgbotapi.Error
	if errors.As(err, &p) {
		return p, true
	}
	var v tgbotapi.Error
	if errors.As(err, &v) {
		return &v, true
	}
	return nil, false
}

// IsNotModified reports Telegram's "message is not modified" answer to an
// edit: the message already shows what was asked (a double tap, say), so
// there is nothing to retry and usually nothing to report.
func IsNotModified(err error) bool {
	e, ok := apiError(err)
	return ok && strings.Contains(e.Message, "message is not modified")
}

// IsForbidden reports a 403: the user blocked the bot or deleted their account.
func IsForbidden(err error) bool {
	e, ok := apiError(err)
	return ok && (e.Code == http.StatusForbidden || strings.HasPrefix(e.Message, "Forbidden:"))
}

// IsTooManyRequests reports a 429 flood-limit answer.
func IsTooManyRequests(err error) bool {
	e, ok := apiError(err)
	return ok && (e.Code == http.StatusTooManyRequests || e.RetryAfter > 0)
}

// retryDelay says whether a failed call may succeed later and how long
// Telegram asked to wait (0: use the backoff).
func retryDelay(err error) (retry bool, wait time.Duration) {
	if errors.Is(err, context.Canceled) {
		return false, 0
	}
	if e, ok := apiError(err); ok {
		switch {
		case e.RetryAfter > 0:
			return true, time.Duration(e.RetryAfter) * time.Second
		case e.Code == http.StatusTooManyRequests, e.Code >= 500:
			return true, 0
		case e.Code == 0:
			// tgbotapi leaves Code empty for uploads: rely on the description.
			for _, p := range []string{"Too Many Requests", "Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway Timeout"} {
				if strings.HasPrefix(e.Message, p) {
					return true, 0
				}
			}
		}
		return false, 0
	}
	// Transport failures, timeouts of one attempt, and non-JSON answers
	// (a proxy's HTML error page) are worth another try.
	var ue *url.Error
	var ne net.Error
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ue), errors.As(err, &ne), errors.As(err, &se),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true, 0
	}
	return false, 0
}

// maybeDelivered says whether a failed attempt may have reached Telegram,
// which may then have delivered the message: a 5xx (Telegram's front may
// answer so after passing the request on), and any transport failure once
// a connection was made (a timeout, a cut or reset connection, an answer
// that is not the Bot API's). An answer of the Bot API below 500 (400, 403,
// 429: the request was refused), a connection that could not be made
// (refused, no route, unknown host) and a request that could not be built
// prove it was not delivered.
func maybeDelivered(err error) bool {
	if errors.Is(err, ErrNotSent) {
		return false
	}
	if e, ok := apiError(err); ok {
		if e.Code != 0 {
			return e.Code >= 500
		}
		// tgbotapi leaves Code empty for uploads: rely on the description.
		for _, p := range []string{"Internal Server Error", "Bad Gateway", "Service Unavailable", "Gateway Timeout"} {
			if strings.HasPrefix(e.Message, p) {
				return true
			}
		}
		return false
	}
	var oe *net.OpError
	var de *net.DNSError
	if errors.As(err, &de) || (errors.As(err, &oe) && oe.Op == "dial") {
		return false
	}
	var ue *url.Error
	var ne net.Error
	var se *json.SyntaxError
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &se) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
