package states

import (
	"bytes"
	"context"
	"encoding/json"
)

// ForceUnlocker is implemented by stores whose locks can outlive their
// holder (a lock object on a server): hub state unlock ID removes a lock,
// but only the one with that ID, so a lock taken since is never broken.
type ForceUnlocker interface {
	ForceUnlock(ctx context.Context, id string) error
}

// Merge rebases one host's writes onto a state someone else saved meanwhile.
// base is the state this run loaded, next what it wants to save, and remote
// what the store holds now. Hosts write disjoint sections, so next's section
// for host is laid over remote; that is safe only if nobody else changed
// that section (or the shared sections this run changed) since base.
// Otherwise the conflict is real and Merge returns a *ConflictError.
func Merge(base, next, remote *State, host, where string) (*State, error) {
	if remote.Lineage != base.Lineage {
		return nil, &ConflictError{Where: where, WantLineage: base.Lineage, HaveLineage: remote.Lineage}
	}
	if !sameJSON(hostOrNil(base.Hosts[host]), hostOrNil(remote.Hosts[host])) {
		return nil, &ConflictError{Where: where, WantLineage: base.Lineage, HaveLineage: remote.Lineage,
			WantSerialBelow: base.Serial, HaveSerial: remote.Serial, Section: "host " + host}
	}
	out := remote.Clone()
	for k, v := range next.Shared {
		if sameJSON(base.Shared[k], v) {
			continue // this run did not change it
		}
		if !sameJSON(base.Shared[k], remote.Shared[k]) {
			return nil, &ConflictError{Where: where, WantLineage: base.Lineage, HaveLineage: remote.Lineage,
				WantSerialBelow: base.Serial, HaveSerial: remote.Serial, Section: "shared " + k}
		}
		if out.Shared == nil {
			out.Shared = map[string]json.RawMessage{}
		}
		out.Shared[k] = v
	}
	if h := next.Hosts[host]; h != nil && len(h.Targets) > 0 {
		out.Host(host).Targets = h.Clone().Targets
	} else {
		delete(out.Hosts, host)
	}
	out.Serial = remote.Serial + 1
	return out, nil
}

// hostOrNil treats an empty host section like a missing one.
func hostOrNil(h *Host) *Host {
	if h == nil || len(h.Targets) == 0 {
		return nil
	}
	return h
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// ForcePusher is implemented by stores that can replace what they hold
// whatever its lineage or serial: hub state push, after the user said so.
type ForcePusher interface {
	ForcePush(ctx context.Context, s *State) error
}

// A Codec turns a state document into what a store keeps and back, such as
// age encryption for a server that must see nothing readable.
type Codec interface {
	Encode(plain []byte) ([]byte, error)
	Decode(stored []byte) ([]byte, error)
}
