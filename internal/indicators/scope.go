package indicators

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
)

// Scope kinds: the territories the report can be computed for.
const (
	KindRegion      = string(territory.LevelRegion)
	KindPicardie    = "picardie" // Aisne + Oise + Somme
	KindDepartement = string(territory.LevelDepartement)
	KindStructure   = string(territory.LevelStructure)
	KindMediator    = "mediator"
	KindRural       = "rural"     // rural posts
	KindQPVPosts    = "qpv_posts" // posts in a QPV (not rural)
)

// Scope is the territory a report covers. Departement and Structure narrow
// it: they are required for departement/structure scopes and, when set on a
// mediator, rural or qpv_posts scope, they are also applied to the query, so
// a scope forged from button data can never reach outside the territory it
// declares (Allowed checks the declaration, the SQL enforces it).
type Scope struct {
	Kind        string         `json:"kind"`
	Departement string         `json:"departement,omitempty"`
	Structure   string         `json:"structure,omitempty"`
	MediatorID  ids.MediatorID `json:"mediator_id,omitempty"`
	// Name is the post's name for people (postName), for display only
	// (filled by MediatorScopes and Compute): never the post identifier,
	// which is kept out of every title, caption and message.
	Name string `json:"name,omitempty"`
}

// Region is the whole Hauts-de-France scope.
func Region() Scope { return Scope{Kind: KindRegion} }

// Picardie is the Aisne + Oise + Somme scope.
func Picardie() Scope { return Scope{Kind: KindPicardie} }

// Departement is the scope of one département (code "59").
func Departement(code string) Scope { return Scope{Kind: KindDepartement, Departement: code} }

// Structure is the scope of one employing structure in a département.
func Structure(dep, name string) Scope {
	return Scope{Kind: KindStructure, Departement: dep, Structure: name}
}

// Mediator is the scope of one mediator post.
func Mediator(id ids.MediatorID) Scope { return Scope{Kind: KindMediator, MediatorID: id} }

var kindKeys = map[string]string{
	KindRegion: "r", KindPicardie: "p", KindDepartement: "d", KindStructure: "s",
	KindMediator: "m", KindRural: "ru", KindQPVPosts: "q",
}

// Validate tells whether the scope is well formed.
func (s Scope) Validate() error {
	if _, ok := kindKeys[s.Kind]; !ok {
		return fmt.Errorf("unknown scope kind %q", s.Kind)
	}
	if s.Departement != "" && !codes.Departements.Has(s.Departement) {
		return fmt.Errorf("unknown departement %q", s.Departement)
	}
	switch s.Kind {
	case KindDepartement:
		if s.Departement == "" {
			return errors.New("departement scope without departement")
		}
	case KindStructure:
		if s.Departement == "" || s.Structure == "" {
			return errors.New("structure scope without departement or structure")
		}
	case KindMediator:
		if s.MediatorID <= 0 {
			return errors.New("mediator scope without mediator")
		}
	}
	return nil
}

// Label is the French name of the territory, as shown in messages and files.
func (s Scope) Label() string {
	dep := codes.Departements.Label(s.Departement)
	switch s.Kind {
	case KindRegion:
		return "Hauts-de-France"
	case KindPicardie:
		return "Picardie (Aisne, Oise, Somme)"
	case KindDepartement:
		return dep
	case KindStructure:
		return fmt.Sprintf("%s (%s)", s.Structure, dep)
	case KindMediator:
		if s.Name != "" {
			return s.Name
		}
		return fmt.Sprintf("Poste n° %d", s.MediatorID)
	case KindRural, KindQPVPosts:
		l := "Postes ruraux"
		if s.Kind == KindQPVPosts {
			l = "Postes en QPV"
		}
		if s.Departement != "" {
			l += " – " + dep
		}
		return l
	}
	return s.Kind
}

// Key is a compact text form of the scope for callback data (≤ 64 bytes
// unless the structure name is long) and for the exports audit table.
// ParseScope reads it back.
func (s Scope) Key() string {
	k := kindKeys[s.Kind]
	if k == "" {
		k = s.Kind
	}
	return fmt.Sprintf("%s:%s:%d:%s", k, s.Departement, s.MediatorID, s.Structure)
}

// ParseScope reads a Key. The result must still go through Allowed.
func ParseScope(key string) (Scope, error) {
	parts := strings.SplitN(key, ":", 4)
	if len(parts) != 4 {
		return Scope{}, fmt.Errorf("parse scope %q: malformed", key)
	}
	var s Scope
	for kind, k := range kindKeys {
		if k == parts[0] {
			s.Kind = kind
		}
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return Scope{}, fmt.Errorf("parse scope %q: %w", key, err)
	}
	s.Departement, s.MediatorID, s.Structure = parts[1], ids.MediatorID(id), parts[3]
	if err := s.Validate(); err != nil {
		return Scope{}, fmt.Errorf("parse scope %q: %w", key, err)
	}
	return s, nil
}

// Filter is the SQL condition on the mediators table (aliased m) selecting
// the scope's posts, with its arguments numbered from $next. Every query
// restricted to a scope (indicators, exports) uses it, so they agree.
func (s Scope) Filter(m string, next int) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(next+len(args))))
		args = append(args, arg)
	}
	switch s.Kind {
	case KindPicardie:
		add(m+".departement = ANY($?)", codes.Picardie)
	case KindMediator:
		add(m+".id = $?", s.MediatorID)
	case KindRural:
		conds = append(conds, m+".rural")
	case KindQPVPosts:
		conds = append(conds, "NOT "+m+".rural")
	}
	if s.Kind != KindRegion && s.Kind != KindPicardie {
		if s.Departement != "" {
			add(m+".departement = $?", s.Departement)
		}
		if s.Structure != "" && (s.Kind == KindStructure || s.Kind == KindMediator) {
			add(m+".structure = $?", s.Structure)
		}
	}
	if len(conds) == 0 {
		return "TRUE", nil
	}
	return strings.Join(conds, " AND "), args
}

// departements lists the départements a scope can cover, in report order;
// nil when only the data can tell (one mediator).
func (s Scope) departements() []string {
	switch s.Kind {
	case KindPicardie:
		return codes.Picardie
	case KindDepartement, KindStructure:
		return []string{s.Departement}
	case KindMediator:
		if s.Departement != "" {
			return []string{s.Departement}
		}
		return nil
	case KindRural, KindQPVPosts:
		if s.Departement != "" {
			return []string{s.Departement}
		}
	}
	return codes.Departements.Codes()
}

// Viewer is who asks for figures: an admin, a coordinator with their
// territory (its Level, Departement and Structure, as in the coordinators
// table) or a mediator (their own post only).
type Viewer struct {
	Role        roles.Role
	Level       territory.Level // coordinators only
	Departement string
	Structure   string
	MediatorID  ids.MediatorID
}

// Allowed tells whether viewer may see figures for s. Coordinators stay
// strictly inside their territory: a département coordinator sees their
// département, its structures, posts and mediators, not Picardie nor the
// region; a structure coordinator only their structure and its mediators.
func Allowed(v Viewer, s Scope) bool {
	if s.Validate() != nil {
		return false
	}
	switch v.Role {
	case roles.Admin:
		return true
	case roles.Mediator:
		return v.MediatorID > 0 && s.Kind == KindMediator && s.MediatorID == v.MediatorID
	case roles.Coordinator:
		switch v.Level {
		case territory.LevelRegion:
			return true
		case territory.LevelDepartement:
			if v.Departement == "" || s.Departement != v.Departement {
				return false
			}
			switch s.Kind {
			case KindDepartement, KindStructure, KindMediator, KindRural, KindQPVPosts:
				return true
			}
		case territory.LevelStructure:
			if v.Departement == "" || v.Structure == "" ||
				s.Departement != v.Departement || s.Structure != v.Structure {
				return false
			}
			return s.Kind == KindStructure || s.Kind == KindMediator
		}
	}
	return false
}

// Scopes lists the territories viewer may choose, widest first, for the
// buttons of /indicateurs and /export. Structures and mediators are listed
// by StructureScopes and MediatorScopes, which need the database.
func Scopes(v Viewer) []Scope {
	var out []Scope
	switch {
	case v.Role == roles.Admin || (v.Role == roles.Coordinator && v.Level == territory.LevelRegion):
		out = append(out, Region(), Picardie())
		for _, d := range codes.Departements {
			out = append(out, Departement(d.Code))
		}
		out = append(out, Scope{Kind: KindRural}, Scope{Kind: KindQPVPosts})
	case v.Role == roles.Coordinator && v.Level == territory.LevelDepartement:
		out = append(out, Departement(v.Departement),
			Scope{Kind: KindRural, Departement: v.Departement},
			Scope{Kind: KindQPVPosts, Departement: v.Departement})
	case v.Role == roles.Coordinator && v.Level == territory.LevelStructure:
		out = append(out, Structure(v.Departement, v.Structure))
	case v.Role == roles.Mediator && v.MediatorID > 0:
		out = append(out, Mediator(v.MediatorID))
	}
	kept := out[:0]
	for _, s := range out {
		if Allowed(v, s) {
			kept = append(kept, s)
		}
	}
	return kept
}

// viewerScope is the widest scope a viewer may see, used to list structures
// and mediators inside it.
func viewerScope(v Viewer) (Scope, bool) {
	switch {
	case v.Role == roles.Admin || (v.Role == roles.Coordinator && v.Level == territory.LevelRegion):
		return Region(), true
	case v.Role == roles.Coordinator && v.Level == territory.LevelDepartement:
		return Departement(v.Departement), true
	case v.Role == roles.Coordinator && v.Level == territory.LevelStructure:
		return Structure(v.Departement, v.Structure), true
	case v.Role == roles.Mediator && v.MediatorID > 0:
		return Mediator(v.MediatorID), true
	}
	return Scope{}, false
}

// StructureScopes lists the structures (with at least one active post)
// viewer may choose, by département then name.
func StructureScopes(ctx context.Context, db Querier, v Viewer) ([]Scope, error) {
	top, ok := viewerScope(v)
	if !ok || v.Role == roles.Mediator {
		return nil, nil
	}
	cond, args := top.Filter("m", 1)
	rows, err := db.Query(ctx, `SELECT DISTINCT m.departement, m.structure FROM mediators m
		WHERE m.active AND m.structure <> '' AND `+cond+` ORDER BY 1, 2`, args...)
	if err != nil {
		return nil, fmt.Errorf("list structures: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scope, error) {
		var dep, name string
		err := r.Scan(&dep, &name)
		return Structure(dep, name), err
	})
	if err != nil {
		return nil, fmt.Errorf("list structures: %w", err)
	}
	return out, nil
}

// postName is how a post (mediators m, users u left-joined on its
// account) is named to the people who may see it: its mediator's display
// name, or for a post without one its structure. Never its identifier: a
// random code (M-RXA6XF) says nothing to a coordinator, and it is the
// post's key in exports and imports, kept out of what the bot sends.
const postName = `COALESCE(NULLIF(u.display_name, ''),
	CASE WHEN u.telegram_id IS NULL THEN 'Poste sans compte' ELSE 'Poste sans nom' END ||
	CASE WHEN m.structure <> '' THEN ' de ' || m.structure ELSE '' END)`

// MediatorScopes lists the mediator posts viewer may choose, by
// département then identifier. Each scope carries the viewer's territory
// (département, structure) so the query stays inside it.
func MediatorScopes(ctx context.Context, db Querier, v Viewer) ([]Scope, error) {
	top, ok := viewerScope(v)
	if !ok {
		return nil, nil
	}
	cond, args := top.Filter("m", 1)
	rows, err := db.Query(ctx, `SELECT m.id, `+postName+`, m.departement, m.structure
		FROM mediators m LEFT JOIN users u ON u.telegram_id = m.user_id
		WHERE (m.active OR m.id = $`+strconv.Itoa(len(args)+1)+`) AND `+cond+`
		ORDER BY m.departement, m.identifier`, append(args, v.MediatorID)...)
	if err != nil {
		return nil, fmt.Errorf("list mediators: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scope, error) {
		var s Scope
		var dep, structure string
		err := r.Scan(&s.MediatorID, &s.Name, &dep, &structure)
		s.Kind = KindMediator
		switch {
		case v.Role == roles.Coordinator && v.Level == territory.LevelDepartement:
			s.Departement = dep
		case v.Role == roles.Coordinator && v.Level == territory.LevelStructure:
			s.Departement, s.Structure = dep, structure
		}
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("list mediators: %w", err)
	}
	return out, nil
}
