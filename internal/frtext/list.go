package frtext

import "strings"

// OrList joins choices the French way, « 02, 59, 60, 62 ou 80 »: how the
// bot, the command line and the store name the values a refused input may
// take.
func OrList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " ou " + items[len(items)-1]
}
