package telegram

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// FileURL is where a file returned by getFile is downloaded, for an API
// endpoint in tgbotapi's format ("" is Telegram's). tgbotapi only knows
// Telegram's own file server; this also serves the fake Bot API.
func FileURL(endpoint, token, filePath string) (string, error) {
	if endpoint == "" || endpoint == tgbotapi.APIEndpoint {
		return fmt.Sprintf(tgbotapi.FileEndpoint, token, filePath), nil
	}
	base, ok := strings.CutSuffix(endpoint, "/bot%s/%s")
	if !ok {
		return "", fmt.Errorf("telegram: cannot derive the file URL from endpoint %q", endpoint)
	}
	return fmt.Sprintf(base+"/file/bot%s/%s", token, filePath), nil
}

// maxDownload is the Bot API's limit for files bots download.
const maxDownload = 20 << 20

// DownloadFile fetches a file a user sent (a CSV to import, say).
func DownloadFile(ctx context.Context, api *tgbotapi.BotAPI, endpoint, fileID string) ([]byte, error) {
	f, err := withContext(ctx, api).GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		return nil, fmt.Errorf("telegram: get file: %w", scrub(err, api.Token))
	}
	if f.FileSize > maxDownload {
		return nil, fmt.Errorf("telegram: file too large (%d bytes)", f.FileSize)
	}
	u, err := FileURL(endpoint, api.Token, f.FilePath)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("telegram: download file: %w", scrub(err, api.Token))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download file: %w", scrub(err, api.Token))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram: download file: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: download file: %w", scrub(err, api.Token))
	}
	if len(data) > maxDownload {
		return nil, fmt.Errorf("telegram: file too large")
	}
	return data, nil
}
