package conformance

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Status is the outcome of one scenario for one model.
type Status string

// The outcomes of a scenario.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Result is the outcome of one scenario for one model.
type Result struct {
	Scenario string `json:"scenario"`
	Status   Status `json:"status"`
	// Reason says why the scenario failed (its failure messages, joined) or was skipped.
	Reason string `json:"reason,omitempty"`
}

// ScenarioInfo names a scenario of a [Report] and the rule it checks.
type ScenarioInfo struct {
	Name string `json:"name"`
	Rule string `json:"rule"`
}

// ModelReport holds the results of one harness, one per scenario of the report, in the
// report's order.
type ModelReport struct {
	Name    string   `json:"name"`
	Model   string   `json:"model"`
	Mode    Mode     `json:"mode"`
	Results []Result `json:"results"`
}

// Report is the capability matrix [Evaluate] produces: for each model, each scenario's
// result. Its JSON form is its exported fields; [Report.WriteMarkdown] prints it as a
// table.
type Report struct {
	Scenarios []ScenarioInfo `json:"scenarios"`
	Models    []ModelReport  `json:"models"`
}

// Failed reports whether a scenario failed for any model.
func (r *Report) Failed() bool {
	for _, m := range r.Models {
		for _, res := range m.Results {
			if res.Status == StatusFail {
				return true
			}
		}
	}
	return false
}

// Result returns the result of the scenario named scenario for the model named model (a
// [Harness] name), and whether the report has it.
func (r *Report) Result(model, scenario string) (Result, bool) {
	for _, m := range r.Models {
		if m.Name != model {
			continue
		}
		for _, res := range m.Results {
			if res.Scenario == scenario {
				return res, true
			}
		}
	}
	return Result{}, false
}

// WriteMarkdown writes the report as Markdown: a table with a row per scenario and a
// column per model, whose cells read pass, fail or skip with a numbered note giving the
// reason; then the notes, the models and the rule each scenario checks. Identical
// reasons share a note.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var notes []string
	noteOf := map[string]int{}
	note := func(text string) int {
		if n, ok := noteOf[text]; ok {
			return n
		}
		notes = append(notes, text)
		noteOf[text] = len(notes)
		return len(notes)
	}

	bw.WriteString("| Scenario |")
	for _, m := range r.Models {
		fmt.Fprintf(bw, " %s |", cell(m.Name))
	}
	bw.WriteString("\n| --- |")
	for range r.Models {
		bw.WriteString(" --- |")
	}
	bw.WriteString("\n")
	for i, s := range r.Scenarios {
		fmt.Fprintf(bw, "| `%s` |", s.Name)
		for _, m := range r.Models {
			var res Result
			if i < len(m.Results) && m.Results[i].Scenario == s.Name {
				res = m.Results[i]
			} else {
				res, _ = r.Result(m.Name, s.Name)
			}
			switch res.Status {
			case StatusPass:
				bw.WriteString(" pass |")
			case StatusFail:
				fmt.Fprintf(bw, " **fail** (%d) |", note("failed: "+res.Reason))
			case StatusSkip:
				fmt.Fprintf(bw, " skip (%d) |", note("skipped: "+res.Reason))
			default:
				bw.WriteString(" not run |")
			}
		}
		bw.WriteString("\n")
	}
	if len(notes) > 0 {
		bw.WriteString("\nNotes:\n\n")
		for i, n := range notes {
			fmt.Fprintf(bw, "%d. %s\n", i+1, cell(n))
		}
	}
	if len(r.Models) > 0 {
		bw.WriteString("\nModels:\n\n")
		for _, m := range r.Models {
			fmt.Fprintf(bw, "- %s: `%s` (%s)\n", cell(m.Name), m.Model, m.Mode)
		}
	}
	if len(r.Scenarios) > 0 {
		bw.WriteString("\nScenarios:\n\n")
		for _, s := range r.Scenarios {
			fmt.Fprintf(bw, "- `%s`: %s\n", s.Name, cell(s.Rule))
		}
	}
	return bw.Flush()
}

// cell makes text fit on one line of a Markdown table.
func cell(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	return strings.ReplaceAll(text, "|", `\|`)
}
