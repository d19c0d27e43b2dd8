package simtest

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/llmkit/llmkit/conformance"
)

// JSONFiles lists the *.json files under fsys, in any directory, sorted. With anyCase
// the extension matches in any case (.JSON too).
func JSONFiles(fsys fs.FS, anyCase bool) ([]string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := path.Ext(p)
		if !d.IsDir() && (ext == ".json" || anyCase && strings.EqualFold(ext, ".json")) {
			names = append(names, p)
		}
		return nil
	})
	slices.Sort(names)
	return names, err
}

// RecordingName is the name a recording answers to in [conformance.Scenario.Recordings]:
// the base of its path without the extension ("dir/tool_round_trip_1.json" is
// "tool_round_trip_1").
func RecordingName(p string) string {
	return strings.TrimSuffix(path.Base(p), path.Ext(p))
}

// Recordings are recorded exchanges of type F grouped by the model id they were sent
// to, each under its [RecordingName].
type Recordings[F any] struct {
	pkg     string
	name    func(F) string
	byModel map[string]map[string]F
}

// LoadRecordings loads the [JSONFiles] of fsys with load and groups them by the model
// id model gives. name gives a loaded recording's path, which names it in messages; pkg
// ("bedrocktest") starts them. Two recordings of one name for one model are an error.
func LoadRecordings[F any](pkg string, fsys fs.FS, anyCase bool, load func(fs.FS, string) (F, error), model, name func(F) string) (*Recordings[F], error) {
	names, err := JSONFiles(fsys, anyCase)
	if err != nil {
		return nil, err
	}
	r := &Recordings[F]{pkg: pkg, name: name, byModel: map[string]map[string]F{}}
	for _, p := range names {
		f, err := load(fsys, p)
		if err != nil {
			return nil, err
		}
		id := model(f)
		if r.byModel[id] == nil {
			r.byModel[id] = map[string]F{}
		}
		n := RecordingName(p)
		if prev, ok := r.byModel[id][n]; ok {
			return nil, fmt.Errorf("%s: load recordings: %s and %s both record %s for %s", pkg, name(prev), p, n, id)
		}
		r.byModel[id][n] = f
	}
	return r, nil
}

// Models returns the model ids that have recordings, sorted.
func (r *Recordings[F]) Models() []string {
	ids := make([]string, 0, len(r.byModel))
	for id := range r.byModel {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Dir returns the directory of the recordings of modelID, or "" when there is none.
func (r *Recordings[F]) Dir(modelID string) string {
	for _, f := range r.byModel[modelID] {
		return path.Dir(r.name(f))
	}
	return ""
}

// Replayer returns a [Replayer] of the recordings of modelID (none when there are
// none). allow lists, by recording name, the intended differences between the requests
// sent and the recorded ones; unfit, by recording name, those that cannot answer their
// scenario, with the reason. Both may be nil.
func (r *Recordings[F]) Replayer(modelID string, allow map[string][]Allow, unfit map[string]string) *Replayer[F] {
	return &Replayer[F]{pkg: r.pkg, modelID: modelID, name: r.name, recordings: r.byModel[modelID],
		allow: allow, unfit: unfit, queue: NewQueue(r.name)}
}

// Replayer is the protocol-neutral part of a simulator's [conformance.Replayer]: it
// queues each scenario's recordings of one model id, hands them out in order, and notes
// which were served and which a scenario left unserved. It is safe for concurrent use.
type Replayer[F any] struct {
	pkg        string
	modelID    string
	name       func(F) string
	recordings map[string]F
	allow      map[string][]Allow
	unfit      map[string]string

	queue *Queue[F]
}

// ModelID returns the model id whose recordings r replays.
func (r *Replayer[F]) ModelID() string { return r.modelID }

// Replay queues the recordings named names as the answers to the next requests,
// replacing those the previous scenario left unserved. When one is missing or unfit it
// queues none and returns an error wrapping [conformance.ErrNoRecording]: "no recording
// of NAME", or "no recording of NAME fit for the scenario: REASON".
func (r *Replayer[F]) Replay(_ context.Context, names ...string) error {
	fixtures := make([]F, 0, len(names))
	for _, name := range names {
		if why := r.unfit[name]; why != "" {
			return fmt.Errorf("%w of %s fit for the scenario: %s", conformance.ErrNoRecording, name, why)
		}
		f, ok := r.recordings[name]
		if !ok {
			return fmt.Errorf("%w of %s", conformance.ErrNoRecording, name)
		}
		fixtures = append(fixtures, f)
	}
	r.queue.Set(fixtures)
	return nil
}

// Next takes the next queued recording and the intended differences declared for it;
// ok is false when none is left.
func (r *Replayer[F]) Next() (f F, allow []Allow, ok bool) {
	f, ok = r.queue.Next()
	if !ok {
		return f, nil, false
	}
	return f, r.allow[RecordingName(r.name(f))], true
}

// Served returns the paths of the recordings served so far, sorted.
func (r *Replayer[F]) Served() []string { return r.queue.Served() }

// Check returns an error naming the recordings a scenario queued but that no request
// used, or nil.
func (r *Replayer[F]) Check() error {
	if left := r.queue.Left(); len(left) > 0 {
		return fmt.Errorf("%s: replay %s: recordings queued but not replayed: %s", r.pkg, r.modelID, strings.Join(left, ", "))
	}
	return nil
}
