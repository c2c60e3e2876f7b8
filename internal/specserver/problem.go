package specserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/podero-go/podero/internal/specformat"
)

// Problem is an error answer in django-ninja's shape: {"detail": ...}, where
// detail is a string, or for 422 a list of {loc, msg, type}.
type Problem struct {
	Status int
	Detail any
}

func (p *Problem) Error() string {
	if s, ok := p.Detail.(string); ok {
		return fmt.Sprintf("%d: %s", p.Status, s)
	}
	b, _ := json.Marshal(p.Detail)
	return fmt.Sprintf("%d: %s", p.Status, b)
}

// Write sends the problem as a JSON response.
func (p *Problem) Write(w http.ResponseWriter) {
	WriteJSON(w, p.Status, map[string]any{"detail": p.Detail})
}

// ValidationItem is one entry of a django-ninja 422 detail list.
type ValidationItem struct {
	Loc  []string `json:"loc"`
	Msg  string   `json:"msg"`
	Type string   `json:"type"`
}

// validationItems turns openapi3filter's errors into django-ninja's 422
// detail list: loc says where (["body", "email"], ["query", "limit"]), msg
// what is wrong, and type "missing" for an absent required field, as
// pydantic says, else "value_error".
func validationItems(err error) []ValidationItem {
	var reqErr *openapi3filter.RequestError
	if multi, ok := err.(openapi3.MultiError); ok {
		var items []ValidationItem
		for _, e := range multi {
			items = append(items, validationItems(e)...)
		}
		return items
	}
	if !errors.As(err, &reqErr) {
		return []ValidationItem{{Loc: []string{"request"}, Msg: err.Error(), Type: "value_error"}}
	}
	loc := []string{"request"}
	switch {
	case reqErr.Parameter != nil:
		loc = []string{reqErr.Parameter.In, reqErr.Parameter.Name}
	case reqErr.RequestBody != nil:
		loc = []string{"body"}
	}
	if errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired) {
		return []ValidationItem{{Loc: loc, Msg: "Field required", Type: "missing"}}
	}
	leaves := specformat.SchemaLeaves(reqErr.Err)
	if len(leaves) == 0 { // not a schema error: the body is not JSON, say
		msg := reqErr.Reason
		if reqErr.Err != nil {
			msg = reqErr.Error()
		}
		return []ValidationItem{{Loc: loc, Msg: msg, Type: "value_error"}}
	}
	var items []ValidationItem
	for _, se := range leaves {
		at := append(slices.Clip(loc), se.JSONPointer()...)
		if missing := missingProperties(se); len(missing) > 0 {
			for _, name := range missing {
				items = append(items, ValidationItem{Loc: append(slices.Clip(at), name), Msg: "Field required", Type: "missing"})
			}
			continue
		}
		items = append(items, ValidationItem{Loc: at, Msg: reasonPrefix.ReplaceAllString(se.Reason, ""), Type: "value_error"})
	}
	return items
}

// missingProperties names the required properties a "required" error is
// about, which its path (the object's) does not say.
func missingProperties(se *openapi3.SchemaError) []string {
	obj, ok := se.Value.(map[string]any)
	if se.SchemaField != "required" || se.Schema == nil || !ok {
		return nil
	}
	var missing []string
	for _, name := range se.Schema.Required {
		if _, ok := obj[name]; !ok {
			missing = append(missing, name)
		}
	}
	return missing
}

// reasonPrefix is the location the JSON Schema 2020-12 validator puts before
// its messages (`error at "/role": at '/role': `); loc says it already.
var reasonPrefix = regexp.MustCompile(`^(error at "[^"]*": )?(at '[^']*': )?`)
