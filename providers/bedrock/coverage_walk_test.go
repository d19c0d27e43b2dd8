package bedrock

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

// converseMembers lists what the coverage table must hold, as "Type.field" for a field of
// a top-level input, output or stream event, and "Union.member" for every member of every
// union reachable from them: union members are found in the SDK's source (types.go, the
// methods isUnion() of the XMemberY types), fields by reflection.
func converseMembers() ([]string, error) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types").Output()
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(strings.TrimSpace(string(out)), "types.go"), nil, 0)
	if err != nil {
		return nil, err
	}
	unions := map[string][]string{} // union interface name -> member type names
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 || !strings.HasPrefix(fd.Name.Name, "is") {
			continue
		}
		star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
		if !ok {
			continue
		}
		id, ok := star.X.(*ast.Ident)
		if !ok {
			continue
		}
		union := strings.TrimPrefix(fd.Name.Name, "is")
		if strings.HasPrefix(id.Name, union+"Member") {
			unions[union] = append(unions[union], id.Name)
		}
	}
	memberTypes := map[string]reflect.Type{}
	for _, v := range unionSamples {
		t := reflect.TypeOf(v).Elem()
		memberTypes[t.Name()] = t
	}
	w := &walker{unions: unions, members: memberTypes, seen: map[reflect.Type]bool{}, rows: map[string]bool{}}
	for _, v := range carriedWhole {
		w.seen[reflect.TypeOf(v)] = true // one row, Type.*, covers them
		w.rows[reflect.TypeOf(v).Name()+".*"] = true
	}
	for _, root := range []reflect.Type{
		reflect.TypeOf(bedrockruntime.ConverseInput{}), reflect.TypeOf(bedrockruntime.ConverseStreamInput{}),
		reflect.TypeOf(bedrockruntime.ConverseOutput{}), reflect.TypeOf(bedrockruntime.CountTokensInput{}),
		reflect.TypeOf(bedrockruntime.CountTokensOutput{}),
	} {
		w.fields(root)
	}
	w.union("ConverseStreamOutput")
	rows := make([]string, 0, len(w.rows))
	for r := range w.rows {
		rows = append(rows, r)
	}
	sort.Strings(rows)
	return rows, w.err
}

// carriedWhole are the SDK types llmkit passes through as they are, as SDK values in
// [Extra] or [ResponseExtra]: the coverage table lists each as Type.* and the walk does
// not enter them.
var carriedWhole = []any{
	types.GuardrailTraceAssessment{}, types.PromptRouterTrace{}, types.PerformanceConfiguration{},
	types.ServiceTier{}, types.GuardrailConfiguration{}, types.GuardrailStreamConfiguration{},
	types.CacheDetail{}, types.InvokeModelTokensRequest{},
}

type walker struct {
	unions  map[string][]string
	members map[string]reflect.Type
	seen    map[reflect.Type]bool
	rows    map[string]bool
	err     error
}

// fields records the exported fields of the struct t and walks their types.
func (w *walker) fields(t reflect.Type) {
	if w.seen[t] {
		return
	}
	w.seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" {
			continue
		}
		w.rows[t.Name()+"."+f.Name] = true
		w.typ(f.Type)
	}
}

func (w *walker) typ(t reflect.Type) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && t.PkgPath() == reflect.TypeOf(types.Message{}).PkgPath():
		w.fields(t)
	case t.Kind() == reflect.Interface && w.unions[t.Name()] != nil:
		w.union(t.Name())
	}
}

func (w *walker) union(name string) {
	for _, m := range w.unions[name] {
		w.rows[name+"."+strings.TrimPrefix(m, name+"Member")] = true
		mt, ok := w.members[m]
		if !ok {
			w.rows["MISSING SAMPLE "+m] = true
			continue
		}
		if v, ok := mt.FieldByName("Value"); ok {
			w.typ(v.Type)
		}
	}
}
