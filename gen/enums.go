package main

import (
	"fmt"
	"slices"
	"strings"
)

// enumConversions writes the conversions between two string enums of which
// one is a subset of the other and names a narrower kind of the same
// thing (its name ends with the other's: MarketPriceZone, the ten zones
// of the markets, and PriceZone, the 21 of the devices). A value read
// from one call then goes into another through a method the compiler
// finds, not a string conversion that takes any value:
//
//	func (v MarketPriceZone) PriceZone() PriceZone
//	func (v PriceZone) MarketPriceZone() (MarketPriceZone, bool)
//
// Enums with the same values are one type already (normalize.go hoists
// them), so only proper subsets are left. A method name that the wider
// type has already (a hand-written one; see checkDeclarations) is left
// out.
func enumConversions(g *generatedAPI) string {
	var names []string
	values := map[string][]string{}
	for typ, consts := range g.enums {
		if g.underlying(typ) != "string" || len(consts) < 2 {
			continue
		}
		names = append(names, typ)
		for _, c := range consts {
			values[typ] = append(values[typ], c.Value)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for _, wide := range names {
		for _, narrow := range names {
			if narrow == wide || !strings.HasSuffix(narrow, wide) || len(values[narrow]) >= len(values[wide]) ||
				!isSubset(values[narrow], values[wide]) || g.typeMethods[wide][narrow] || g.typeMethods[narrow][wide] ||
				!g.typeMethods[narrow]["Valid"] {
				continue
			}
			fmt.Fprintf(&b, "\n// %[2]s returns v as a %[2]s: every %[1]s is one.\nfunc (v %[1]s) %[2]s() %[2]s { return %[2]s(v) }\n", narrow, wide)
			fmt.Fprintf(&b, "\n// %[1]s returns v as a %[1]s, and whether it is one\n// (%[1]s has %[3]d of the %[4]d values of %[2]s).\nfunc (v %[2]s) %[1]s() (%[1]s, bool) {\n\tn := %[1]s(v)\n\treturn n, n.Valid()\n}\n",
				narrow, wide, len(values[narrow]), len(values[wide]))
		}
	}
	return b.String()
}

func isSubset(sub, of []string) bool {
	for _, v := range sub {
		if !slices.Contains(of, v) {
			return false
		}
	}
	return true
}
