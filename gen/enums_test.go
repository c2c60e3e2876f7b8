package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// A string enum whose values are a proper subset of another's, and whose
// name ends with the other's, converts to it and back through methods;
// unrelated enums and equal ones do not.
func TestEnumConversions(t *testing.T) {
	const src = `package api
type PriceZone string
const (
	PriceZoneAT PriceZone = "AT"
	PriceZoneCH PriceZone = "CH"
	PriceZoneDELU PriceZone = "DE_LU"
)
func (e PriceZone) Valid() bool { return true }
type MarketPriceZone string
const (
	MarketPriceZoneAT MarketPriceZone = "AT"
	MarketPriceZoneDELU MarketPriceZone = "DE_LU"
)
func (e MarketPriceZone) Valid() bool { return true }
type Mode string
const (
	ModeAT Mode = "AT"
	ModeCH Mode = "CH"
)
func (e Mode) Valid() bool { return true }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "podero.gen.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	g, err := parseGenerated(fset, f)
	if err != nil {
		t.Fatal(err)
	}
	got := enumConversions(g)
	for _, want := range []string{
		"func (v MarketPriceZone) PriceZone() PriceZone { return PriceZone(v) }",
		"func (v PriceZone) MarketPriceZone() (MarketPriceZone, bool) {",
		"(MarketPriceZone has 2 of the 3 values of PriceZone)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "Mode") || strings.Count(got, "func ") != 2 {
		t.Errorf("conversions between unrelated enums:\n%s", got)
	}
}
