package indicators

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	KindNational    = "national" // every served region, side by side
	KindRegion      = string(territory.LevelRegion)
	KindGroup       = "group" // a grouping of a region's Annexe 1 (Picardie = Aisne + Oise + Somme)
	KindDepartement = string(territory.LevelDepartement)
	KindStructure   = string(territory.LevelStructure)
	KindMediator    = "mediator"
	KindRural       = "rural"     // rural posts
	KindQPVPosts    = "qpv_posts" // posts in a QPV (not rural)
)

// legacyRegion is the region of the scope keys written before scopes
// carried one (« r::0: », « p::0: »…), still on buttons in chats: the
// Hauts-de-France. Its scopes keep those keys, so their buttons' tags do
// not change either.
const legacyRegion = "32"

// Scope is the territory a report covers. Region names the region of the
// region-wide kinds (region, group, rural and QPV posts without a
// département) and narrows a mediator scope to it; a département implies
// its region. Departement and Structure narrow it: they are required for
// departement/structure scopes and, when set on a mediator, rural or
// qpv_posts scope, they are also applied to the query, so a scope forged
// from button data can never reach outside the territory it declares
// (Allowed checks the declaration, the SQL enforces it).
type Scope struct {
	Kind string `json:"kind"`
	// Region is an INSEE region code ("32").
	Region string `json:"region,omitempty"`
	// Regions are the national scope's regions, comma-separated ("32,76"):
	// a string so that scopes stay comparable.
	Regions string `json:"regions,omitempty"`
	// Group is the index of a KindGroup scope's grouping in its region's
	// Annexe 1 (territory.Region.Annexe).
	Group       int            `json:"group,omitempty"`
	Departement string         `json:"departement,omitempty"`
	Structure   string         `json:"structure,omitempty"`
	MediatorID  ids.MediatorID `json:"mediator_id,omitempty"`
	// Name is, for display only, the post's name for people (postName,
	// filled by MediatorScopes and Compute; never the post identifier,
	// which is kept out of every title, caption and message), or the
	// region a rural or QPV scope is listed under when several are served.
	Name string `json:"name,omitempty"`
}

// National is the scope of every region served, side by side.
func National(served territory.Served) Scope {
	codes := make([]string, len(served))
	for i, r := range served {
		codes[i] = r.Code
	}
	return Scope{Kind: KindNational, Regions: strings.Join(codes, ",")}
}

// Region is the scope of a whole region (INSEE code "32").
func Region(code string) Scope { return Scope{Kind: KindRegion, Region: code} }

// Group is the scope of the i-th grouping of the region's Annexe 1
// (Group("32", 0) is the Picardie: Aisne + Oise + Somme).
func Group(region string, i int) Scope { return Scope{Kind: KindGroup, Region: region, Group: i} }

// Departement is the scope of one département (code "59").
func Departement(code string) Scope { return Scope{Kind: KindDepartement, Departement: code} }

// Structure is the scope of one employing structure in a département.
func Structure(dep, name string) Scope {
	return Scope{Kind: KindStructure, Departement: dep, Structure: name}
}

// Mediator is the scope of one mediator post.
func Mediator(id ids.MediatorID) Scope { return Scope{Kind: KindMediator, MediatorID: id} }

// Rural is the scope of a region's rural posts; QPVPosts of its posts in
// a QPV. With a Departement set instead of the region, those of one
// département; with neither, every post of that kind (like a post scope
// without a territory, a regional coordinator sees it only where their
// region is the only one served).
func Rural(region string) Scope { return Scope{Kind: KindRural, Region: region} }

// QPVPosts is the scope of a region's posts in a QPV (see Rural).
func QPVPosts(region string) Scope { return Scope{Kind: KindQPVPosts, Region: region} }

var kindKeys = map[string]string{
	KindNational: "n", KindRegion: "r", KindGroup: "g", KindDepartement: "d", KindStructure: "s",
	KindMediator: "m", KindRural: "ru", KindQPVPosts: "q",
}

// regionWide tells whether the kind covers a whole region unless a
// département narrows it.
func regionWide(kind string) bool {
	return kind == KindRegion || kind == KindGroup || kind == KindRural || kind == KindQPVPosts
}

// RegionCode is the region the scope lies in: its Region, or its
// département's; "" for the national scope and a post scope that names
// neither (the data tells).
func (s Scope) RegionCode() string {
	if s.Region != "" {
		return s.Region
	}
	if d, ok := territory.FindDepartement(s.Departement); ok {
		return d.Region
	}
	return ""
}

// group is a KindGroup scope's grouping: one of several départements (a
// column of one département is that département's scope).
func (s Scope) group() (territory.Group, bool) {
	r, ok := territory.FindRegion(s.Region)
	if !ok {
		return territory.Group{}, false
	}
	groups := r.Annexe()
	if s.Group < 0 || s.Group >= len(groups) || len(groups[s.Group].Departements) < 2 {
		return territory.Group{}, false
	}
	return groups[s.Group], true
}

// regionList is the national scope's regions.
func (s Scope) regionList() []string {
	if s.Regions == "" {
		return nil
	}
	return strings.Split(s.Regions, ",")
}

// Validate tells whether the scope is well formed for a deployment
// serving served: every region and département it names is served.
func (s Scope) Validate(served territory.Served) error {
	if _, ok := kindKeys[s.Kind]; !ok {
		return fmt.Errorf("unknown scope kind %q", s.Kind)
	}
	if s.Region != "" {
		if _, ok := served.Region(s.Region); !ok {
			return fmt.Errorf("region %q not served", s.Region)
		}
	}
	if s.Departement != "" {
		d, ok := served.Departement(s.Departement)
		if !ok {
			return fmt.Errorf("unknown departement %q", s.Departement)
		}
		if s.Region != "" && d.Region != s.Region {
			return fmt.Errorf("departement %q is not in region %q", s.Departement, s.Region)
		}
	}
	if s.Kind != KindNational && s.Regions != "" || s.Kind != KindGroup && s.Group != 0 {
		return errors.New("regions or group on another kind of scope")
	}
	switch s.Kind {
	case KindNational:
		list := s.regionList()
		if len(list) == 0 || s.Region != "" || s.Departement != "" || s.Structure != "" || s.MediatorID != 0 {
			return errors.New("national scope without regions, or narrowed")
		}
		for i, code := range list {
			if _, ok := served.Region(code); !ok || slices.Contains(list[:i], code) {
				return fmt.Errorf("national scope: region %q not served, or twice", code)
			}
		}
	case KindRegion, KindGroup:
		if s.Region == "" || s.Departement != "" {
			return errors.New("region scope without region, or with a departement")
		}
		if _, ok := s.group(); s.Kind == KindGroup && !ok {
			return fmt.Errorf("region %q has no grouping %d", s.Region, s.Group)
		}
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

// regionName is a region's name, or its code when unknown.
func regionName(code string) string {
	if r, ok := territory.FindRegion(code); ok {
		return r.Name
	}
	return code
}

// andList joins names the French way: « a, b et c ».
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " et " + names[len(names)-1]
}

// Label is the French name of the territory, as shown in messages and files.
func (s Scope) Label() string {
	dep := codes.DepartementLabel(s.Departement)
	switch s.Kind {
	case KindNational:
		var names []string
		for _, code := range s.regionList() {
			names = append(names, regionName(code))
		}
		return andList(names)
	case KindRegion:
		return regionName(s.Region)
	case KindGroup:
		g, ok := s.group()
		if !ok {
			return fmt.Sprintf("Groupe %d (%s)", s.Group+1, regionName(s.Region))
		}
		names := make([]string, len(g.Departements))
		for i, code := range g.Departements {
			names[i] = codes.DepartementLabel(code)
		}
		if len(names) > 1 && g.Name != strings.Join(names, " + ") {
			return g.Name + " (" + strings.Join(names, ", ") + ")"
		}
		return g.Name
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
		switch {
		case s.Departement != "":
			l += " – " + dep
		case s.Name != "":
			l += " – " + s.Name
		}
		return l
	}
	return s.Kind
}

// Key is a compact text form of the scope for callback data (≤ 64 bytes
// unless the structure name is long) and for the exports audit table:
// « kind[@region[.group]]:département:mediator:structure ». The
// Hauts-de-France's region-wide scopes keep the keys they had before
// scopes carried a region (« r::0: », « p::0: » for its first grouping),
// so the buttons already sent still work. ParseScope reads it back.
func (s Scope) Key() string {
	k := kindKeys[s.Kind]
	if k == "" {
		k = s.Kind
	}
	switch {
	case s.Kind == KindGroup && s.Region == legacyRegion && s.Group == 0 && s.Departement == "":
		k = "p"
	case regionWide(s.Kind) && s.Region == legacyRegion && s.Departement == "":
	case s.Kind == KindGroup:
		k += "@" + s.Region + "." + strconv.Itoa(s.Group)
	case s.Region != "":
		k += "@" + s.Region
	}
	return fmt.Sprintf("%s:%s:%d:%s", k, s.Departement, s.MediatorID, s.Structure)
}

// ParseScope reads a Key for a deployment serving served (a national key
// covers every served region). The result must still go through Allowed.
func ParseScope(key string, served territory.Served) (Scope, error) {
	parts := strings.SplitN(key, ":", 4)
	if len(parts) != 4 {
		return Scope{}, fmt.Errorf("parse scope %q: malformed", key)
	}
	var s Scope
	kind, region, hasRegion := strings.Cut(parts[0], "@")
	if kind == "p" && !hasRegion {
		s.Kind, s.Region = KindGroup, legacyRegion
	}
	for name, k := range kindKeys {
		if k == kind {
			s.Kind = name
		}
	}
	if hasRegion {
		code, group, hasGroup := strings.Cut(region, ".")
		s.Region = code
		if hasGroup {
			i, err := strconv.Atoi(group)
			if err != nil || s.Kind != KindGroup {
				return Scope{}, fmt.Errorf("parse scope %q: bad grouping", key)
			}
			s.Group = i
		}
	} else if regionWide(s.Kind) && parts[1] == "" {
		s.Region = legacyRegion
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return Scope{}, fmt.Errorf("parse scope %q: %w", key, err)
	}
	s.Departement, s.MediatorID, s.Structure = parts[1], ids.MediatorID(id), parts[3]
	if s.Kind == KindNational {
		s.Regions = National(served).Regions
	}
	if err := s.Validate(served); err != nil {
		return Scope{}, fmt.Errorf("parse scope %q: %w", key, err)
	}
	return s, nil
}

// Filter is the SQL condition on the mediators table (aliased m) selecting
// the scope's posts, with its arguments numbered from $next. Every query
// restricted to a scope (indicators, exports) uses it, so they agree. A
// region-wide or national scope selects its départements' posts: a
// deployment serving several regions never adds one region's posts to
// another's.
func (s Scope) Filter(m string, next int) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(next+len(args))))
		args = append(args, arg)
	}
	switch s.Kind {
	case KindMediator:
		add(m+".id = $?", s.MediatorID)
	case KindRural:
		conds = append(conds, m+".rural")
	case KindQPVPosts:
		conds = append(conds, "NOT "+m+".rural")
	}
	switch {
	case s.Departement != "":
		add(m+".departement = $?", s.Departement)
		if s.Structure != "" && (s.Kind == KindStructure || s.Kind == KindMediator) {
			add(m+".structure = $?", s.Structure)
		}
	case s.Kind == KindNational || s.Region != "":
		add(m+".departement = ANY($?)", s.within())
	}
	if len(conds) == 0 {
		return "TRUE", nil
	}
	return strings.Join(conds, " AND "), args
}

// Departements lists the départements the scope covers, in report order:
// a region's, a grouping's, the served regions' for the national scope;
// nil for one post named without its territory (the data tells).
func (s Scope) Departements() []string {
	if s.Kind == KindMediator && s.Departement == "" || s.RegionCode() == "" && s.Kind != KindNational {
		return nil // the data tells
	}
	return s.within()
}

// within lists the départements the scope lies within: its département,
// its grouping's, its region's or its regions'.
func (s Scope) within() []string {
	switch {
	case s.Departement != "":
		return []string{s.Departement}
	case s.Kind == KindGroup:
		g, _ := s.group()
		return slices.Clone(g.Departements)
	}
	list := s.regionList()
	if s.Kind != KindNational {
		list = []string{s.Region}
	}
	var out []string
	for _, code := range list {
		r, _ := territory.FindRegion(code)
		for _, d := range r.Departements() {
			out = append(out, d.Code)
		}
	}
	return out
}

// Viewer is who asks for figures: an admin (every served region), a
// coordinator with their territory (its Level, Region, Departement and
// Structure, as in the coordinators table) or a mediator (their own post
// only).
type Viewer struct {
	Role  roles.Role
	Level territory.Level // coordinators only
	// Region is a regional coordinator's region (INSEE code); empty: the
	// deployment's region when it serves only one.
	Region      string
	Departement string
	Structure   string
	MediatorID  ids.MediatorID
}

// national tells whether v sees every served region: an admin, or a
// national coordinator.
func (v Viewer) national() bool {
	return v.Role == roles.Admin || v.Role == roles.Coordinator && v.Level == territory.LevelNational
}

// region is a regional coordinator's served region: Region, or the only
// served region when Region is empty; false when none.
func (v Viewer) region(served territory.Served) (territory.Region, bool) {
	if v.Region == "" {
		if len(served) == 1 {
			return served[0], true
		}
		return territory.Region{}, false
	}
	return served.Region(v.Region)
}

// Allowed tells whether viewer may see figures for s in a deployment
// serving served. Admins and national coordinators see every served
// region. Other coordinators stay strictly inside their territory: a
// regional coordinator sees their region only (not another served
// region, its départements, structures or posts, nor the national
// scope); a département coordinator sees their département, its
// structures, posts and mediators, not a grouping nor the region; a
// structure coordinator only their structure and its mediators.
func Allowed(served territory.Served, v Viewer, s Scope) bool {
	if s.Validate(served) != nil {
		return false
	}
	if v.national() {
		return true
	}
	switch v.Role {
	case roles.Mediator:
		return v.MediatorID > 0 && s.Kind == KindMediator && s.MediatorID == v.MediatorID
	case roles.Coordinator:
		switch v.Level {
		case territory.LevelRegion:
			r, ok := v.region(served)
			if !ok || s.Kind == KindNational {
				return false
			}
			if code := s.RegionCode(); code != "" {
				return code == r.Code
			}
			// A post named without a territory ranges over the served
			// regions: only theirs when it is the only one.
			return len(served) == 1
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

// regionScopes are a region's territories, widest first: the region, its
// groupings of several départements, its départements, its rural and QPV
// posts (named after the region when several are listed).
func regionScopes(r territory.Region, several bool) []Scope {
	out := []Scope{Region(r.Code)}
	for i, g := range r.Annexe() {
		if len(g.Departements) > 1 {
			out = append(out, Group(r.Code, i))
		}
	}
	for _, d := range r.Departements() {
		out = append(out, Departement(d.Code))
	}
	rural, qpv := Rural(r.Code), QPVPosts(r.Code)
	if several {
		rural.Name, qpv.Name = r.Name, r.Name
	}
	return append(out, rural, qpv)
}

// Scopes lists the territories viewer may choose in a deployment serving
// served, widest first, for the buttons of /indicateurs and /export: for
// an admin of several regions the national scope, then each region's.
// Structures and mediators are listed by StructureScopes and
// MediatorScopes, which need the database.
func Scopes(served territory.Served, v Viewer) []Scope {
	var out []Scope
	switch {
	case v.national():
		if len(served) > 1 {
			out = append(out, National(served))
		}
		for _, r := range served {
			out = append(out, regionScopes(r, len(served) > 1)...)
		}
	case v.Role == roles.Coordinator && v.Level == territory.LevelRegion:
		if r, ok := v.region(served); ok {
			out = append(out, regionScopes(r, false)...)
		}
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
		if Allowed(served, v, s) {
			kept = append(kept, s)
		}
	}
	return kept
}

// Widest is the widest scope viewer may see: the national scope for an
// admin or national coordinator of several regions, the region for one of
// a single region or a regional coordinator, else their département, structure or post. It is what a
// question without a territory, a digest or an annual report covers.
func Widest(served territory.Served, v Viewer) (Scope, bool) {
	var s Scope
	switch {
	case v.national() && len(served) > 1:
		s = National(served)
	case v.national() && len(served) == 1:
		s = Region(served[0].Code)
	case v.Role == roles.Coordinator && v.Level == territory.LevelRegion:
		r, ok := v.region(served)
		if !ok {
			return Scope{}, false
		}
		s = Region(r.Code)
	case v.Role == roles.Coordinator && v.Level == territory.LevelDepartement:
		s = Departement(v.Departement)
	case v.Role == roles.Coordinator && v.Level == territory.LevelStructure:
		s = Structure(v.Departement, v.Structure)
	case v.Role == roles.Mediator && v.MediatorID > 0:
		s = Mediator(v.MediatorID)
	default:
		return Scope{}, false
	}
	return s, Allowed(served, v, s)
}

// StructureScopes lists the structures (with at least one active post)
// viewer may choose, by département then name.
func StructureScopes(ctx context.Context, db Querier, served territory.Served, v Viewer) ([]Scope, error) {
	top, ok := Widest(served, v)
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
// (region, département, structure) so the query stays inside it.
func MediatorScopes(ctx context.Context, db Querier, served territory.Served, v Viewer) ([]Scope, error) {
	top, ok := Widest(served, v)
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
		case v.Role == roles.Coordinator && v.Level == territory.LevelRegion:
			s.Region = top.Region
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

// everywhere is every region: what Compute checks a scope against (it
// computes whatever it is given; Allowed has checked the served regions).
func everywhere() territory.Served { return territory.Regions() }
