package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/podero-go/podero/api"
	"github.com/podero-go/podero/internal/journey"
)

// The commands on top of the operations: the SDK's waiters and what a
// support person asks first. Each is in the group of the resource it is
// about. A waiter that returns a server's object (wait-boost,
// wait-healthy) prints it as its last poll received it, undeclared
// properties included; status, attention and onboarding wait print a
// summary of chosen fields, which has none.

// lastPoll is a waiter's result as the command prints it: the last poll's
// body, which the SDK decoded into v.
func lastPoll(body []byte, v any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return received{body: body, decoded: v}, nil
}

func (a *app) addJourneys(groups map[string]*cobra.Command) {
	var maxWait time.Duration
	waitFlag := func(cmd *cobra.Command, def time.Duration) *cobra.Command {
		cmd.Flags().DurationVar(&maxWait, "max-wait", def, "give up after this long (exit status 7)")
		return cmd
	}
	waitOpts := func() []api.WaitOption { return []api.WaitOption{api.WithMaxWait(maxWait)} }
	uuids := func(args []string) ([]api.UUID, error) {
		ids := make([]api.UUID, len(args))
		for i, s := range args {
			id, err := api.ParseUUID(s)
			if err != nil {
				return nil, usageErr(err)
			}
			ids[i] = id
		}
		return ids, nil
	}
	journeyCmd := func(group, use, short, long string, n int, do func(ctx context.Context, c *api.PartnerClient, f *fakeTarget, ids []api.UUID, args []string) (any, error)) *cobra.Command {
		cmd := &cobra.Command{Use: use, Short: short, Long: long, Args: cobra.ExactArgs(n), ValidArgsFunction: cobra.NoFileCompletions,
			RunE: func(cmd *cobra.Command, args []string) error {
				ids, err := uuids(args[len(args)-min(len(args), n):])
				if err != nil {
					return err
				}
				return a.withClient(cmd.Context(), func(ctx context.Context, c *api.PartnerClient, f *fakeTarget) (any, error) {
					return do(ctx, c, f, ids, args)
				})
			}}
		groups[group].AddCommand(cmd)
		return cmd
	}

	waitFlag(journeyCmd("onboarding", "wait SESSION_ID", "Wait until an onboarding session's device is connected",
		`wait polls an onboarding session until the device it onboards is connected
(PartnerClient.WaitForOnboarding), and prints the device's id, kind and status.
The end user connects the device in Podero's Connect UI, at the session's
authentication_url; with --fake, the fake plays the end user.`, 1,
		func(ctx context.Context, c *api.PartnerClient, f *fakeTarget, ids []api.UUID, _ []string) (any, error) {
			var endUser journey.EndUser
			if f != nil {
				endUser = f.PlayEndUser
			}
			return journey.WaitOnboarding(ctx, c, ids[0], endUser, waitOpts()...)
		}), 10*time.Minute)

	waitFlag(journeyCmd("electric-vehicles", "wait-boost USER_ID ELECTRIC_VEHICLE_ID", "Wait until a boost has started or been refused",
		`wait-boost polls a vehicle after trigger-boost until its boost_state is no longer
"requested" (PartnerClient.WaitForBoost), and prints the vehicle.`, 2,
		func(ctx context.Context, c *api.PartnerClient, _ *fakeTarget, ids []api.UUID, _ []string) (any, error) {
			var body []byte
			ev, err := c.WaitForBoost(ctx, ids[0], ids[1], append(waitOpts(), api.WithPollOptions(api.WithRedactedRawBody(&body)))...)
			return lastPoll(body, ev, err)
		}), 5*time.Minute)

	waitFlag(journeyCmd("devices", "wait-healthy KIND USER_ID DEVICE_ID", "Wait until a device is healthy again",
		`wait-healthy polls a device of the kind (ev, hp, iv or wb) until it is
authenticated, connected and reporting (PartnerClient.WaitForDeviceHealthy),
and prints it.`, 2,
		func(ctx context.Context, c *api.PartnerClient, _ *fakeTarget, ids []api.UUID, args []string) (any, error) {
			switch kind := api.DeviceKind(args[0]); kind {
			case api.DeviceKindEV, api.DeviceKindHp, api.DeviceKindIv, api.DeviceKindWb:
				var body []byte
				d, err := c.WaitForDeviceHealthy(ctx, kind, ids[0], ids[1], append(waitOpts(), api.WithPollOptions(api.WithRedactedRawBody(&body)))...)
				return lastPoll(body, d, err)
			}
			return nil, usageErr(fmt.Errorf("KIND %q: want ev, hp, iv or wb", args[0]))
		}), 30*time.Minute).Args = cobra.ExactArgs(3)

	journeyCmd("electric-vehicles", "status USER_ID ELECTRIC_VEHICLE_ID", "How a car is: charging, battery, boost, what needs attention",
		`status reads a vehicle and says what a dashboard shows of it: Unplugged,
Plugged in or Charging, its battery level, whether "Charge now" is offered,
whether it needs attention and its pending actions (without their secret
links).`, 2,
		func(ctx context.Context, c *api.PartnerClient, _ *fakeTarget, ids []api.UUID, _ []string) (any, error) {
			return journey.Car(ctx, c, ids[0], ids[1])
		})

	journeyCmd("users", "attention USER_ID", "List a user's devices that need attention",
		`attention reads a user's electric vehicles, heat pumps and inverters and
lists those that need the partner or the end user to act: not authenticated,
action_needed, or a reauthentication pending.`, 1,
		func(ctx context.Context, c *api.PartnerClient, _ *fakeTarget, ids []api.UUID, _ []string) (any, error) {
			return journey.NeedingAttention(ctx, c, ids[0])
		})
}
