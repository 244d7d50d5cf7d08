package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// The control API lets a person (curl) or the local demo play users of the
// default bot when the fake runs standalone (never a web page: its POSTs
// refuse a request with an Origin header):
//
//	POST /fake/users                {"id":1001,"first_name":"Awa"}
//	POST /fake/chats/1001/send      {"text":"/start CODE"}
//	POST /fake/chats/1001/press     {"button":"Enregistrer","message_id":0}
//	GET  /fake/chats/1001/messages
//	GET  /fake/stats
const controlHelp = `Fake Telegram Bot API — control endpoints (default bot):
  POST /fake/users             {"id":1001,"first_name":"Awa"}
  POST /fake/chats/{id}/send   {"text":"/start CODE"}
  POST /fake/chats/{id}/press  {"button":"Enregistrer","message_id":0}
  GET  /fake/chats/{id}/messages
  GET  /fake/stats
`

func (s *Server) controlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /fake/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if _, err := fmt.Fprint(w, controlHelp); err != nil {
			s.opts.logger.Debug("fake telegram: control help cut", "err", err)
		}
	})
	mux.HandleFunc("POST /fake/users", notFromAPage(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID        int64  `json:"id"`
			FirstName string `json:"first_name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ID <= 0 {
			controlError(w, http.StatusBadRequest, "expected {\"id\":1001,\"first_name\":\"Awa\"}")
			return
		}
		if req.FirstName == "" {
			req.FirstName = "Utilisateur"
		}
		u := s.def.NewUser(req.ID, req.FirstName)
		writeJSON(w, http.StatusOK, map[string]any{"id": u.ID(), "chat_id": u.ID()})
	}))
	mux.HandleFunc("POST /fake/chats/{id}/send", notFromAPage(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		var req struct {
			Text string `json:"text"`
		}
		if err != nil || json.NewDecoder(r.Body).Decode(&req) != nil {
			controlError(w, http.StatusBadRequest, "expected {\"text\":\"...\"}")
			return
		}
		updateID, err := s.def.SendText(id, req.Text)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"update_id": updateID})
	}))
	mux.HandleFunc("POST /fake/chats/{id}/press", notFromAPage(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		var req struct {
			Button    string `json:"button"`
			MessageID int    `json:"message_id"`
		}
		if err != nil || json.NewDecoder(r.Body).Decode(&req) != nil || req.Button == "" {
			controlError(w, http.StatusBadRequest, "expected {\"button\":\"...\"}")
			return
		}
		updateID, err := s.def.Press(id, req.MessageID, req.Button)
		if err != nil {
			controlError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"update_id": updateID})
	}))
	mux.HandleFunc("GET /fake/chats/{id}/messages", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			controlError(w, http.StatusBadRequest, "bad chat id")
			return
		}
		msgs := s.def.ChatMessages(id)
		if msgs == nil {
			msgs = []Message{}
		}
		writeJSON(w, http.StatusOK, msgs)
	})
	mux.HandleFunc("GET /fake/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.def.Stats())
	})
}

// notFromAPage refuses a request sent by a web page (browsers put Origin on
// every POST): the control API is for curl and Go code, and a site open in
// the demo's browser must not type or press as its personas.
func notFromAPage(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") != "" {
			controlError(w, http.StatusForbidden, "L'API de contrôle du faux Telegram refuse les requêtes d'une page web (en-tête Origin).")
			return
		}
		next(w, r)
	}
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
