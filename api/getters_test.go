package api

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// wantZero is what the generated TestGettersOnNil checks each getter with.
func wantZero(t *testing.T, getter string, v any) {
	t.Helper()
	if rv := reflect.ValueOf(v); rv.IsValid() && !rv.IsZero() {
		t.Errorf("(nil).%s() = %v, want the zero value", getter, v)
	}
}

// TestGettersReturnTheField sets every field of every type with getters to
// a value that is not zero, and checks that each getter returns it: the
// value a pointer points to, the value of a Nullable, the field itself.
func TestGettersReturnTheField(t *testing.T) {
	types := []any{&ElectricVehicleOutput{}, &UserOutput{}, &SessionItem{}, &UserUpdateInput{}, &ChargingConfigOutput{},
		&TradingDayAheadPricesUpdateOutput{}, &DeviceOnboardingSessionOutput{}, &HEMSSessionItem{}, &ChargeWeeklyPolicySchema{}}
	for _, v := range types {
		rv := reflect.ValueOf(v)
		st := rv.Elem()
		checked := 0
		for i := range st.NumField() {
			f := st.Type().Field(i)
			m := rv.MethodByName("Get" + f.Name)
			if !f.IsExported() || !m.IsValid() {
				continue
			}
			want := fill(t, st.Field(i), m.Type().Out(0))
			got := m.Call(nil)[0]
			if !reflect.DeepEqual(got.Interface(), want.Interface()) {
				t.Errorf("%s.Get%s() = %v, want %v", st.Type().Name(), f.Name, got, want)
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%T has no getters", v)
		}
	}
}

// fill sets field to a value that is not zero and returns what its getter
// should return.
func fill(t *testing.T, field reflect.Value, result reflect.Type) reflect.Value {
	t.Helper()
	typ := field.Type()
	switch {
	case typ.Kind() == reflect.Pointer && result == typ:
		field.Set(reflect.New(typ.Elem())) // a nested object: the getter returns the pointer
		return field
	case typ.Kind() == reflect.Pointer:
		p := reflect.New(typ.Elem())
		field.Set(p)
		return nonZero(t, p.Elem())
	case strings.HasPrefix(typ.Name(), "Nullable["):
		v := reflect.New(typ.Elem()).Elem()
		want := nonZero(t, v)
		field.Set(reflect.MakeMap(typ))
		field.SetMapIndex(reflect.ValueOf(true), want)
		return want
	default:
		return nonZero(t, field)
	}
}

// nonZero sets v to a value that is not its zero value and returns it.
func nonZero(t *testing.T, v reflect.Value) reflect.Value {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
	case reflect.Array: // a UUID
		v.Index(0).SetUint(1)
	case reflect.Struct:
		switch v.Type() {
		case reflect.TypeOf(time.Time{}):
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
		case reflect.TypeOf(Date{}):
			v.Set(reflect.ValueOf(Date{Time: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}))
		default: // a value that is an object
			v.Set(reflect.New(v.Type()).Elem())
			if v.NumField() > 0 && v.Field(0).CanSet() {
				nonZero(t, v.Field(0))
			}
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf("x"))
	default:
		t.Fatalf("no non-zero value for %s", v.Type())
	}
	return v
}
