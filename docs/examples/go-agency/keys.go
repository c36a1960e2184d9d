// Whom the node believes: the registry's public keys, each agency's with its validity (a rotated
// key verifies what it signed before its end), and the coordinators'. Read from the exchange
// (a direct get), followed live, and used to verify every delivery before anything else.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// AgencyKey is one key of an agency; validFrom and validUntil are wall times (RFC 3339).
type AgencyKey struct {
	PublicKey  string `json:"publicKey"`
	ValidFrom  string `json:"validFrom,omitempty"`
	ValidUntil string `json:"validUntil,omitempty"`
}

// Registry is what the node needs of the exchange's registry (its other fields are ignored).
type Registry struct {
	Agencies []struct {
		ID        string      `json:"id"`
		PublicKey string      `json:"publicKey"`
		Keys      []AgencyKey `json:"keys"`
	} `json:"agencies"`
	Coordinators []struct {
		PublicKey string `json:"publicKey"`
	} `json:"coordinators"`
}

// Keys holds the latest registry revision.
type Keys struct {
	mu           sync.RWMutex
	agencies     map[string][]AgencyKey
	coordinators map[string]bool
}

func (k *Keys) Adopt(r Registry) {
	agencies := map[string][]AgencyKey{}
	for _, a := range r.Agencies {
		if len(a.Keys) > 0 {
			agencies[a.ID] = a.Keys
		} else {
			agencies[a.ID] = []AgencyKey{{PublicKey: a.PublicKey}}
		}
	}
	coordinators := map[string]bool{}
	for _, c := range r.Coordinators {
		coordinators[c.PublicKey] = true
	}
	k.mu.Lock()
	k.agencies, k.coordinators = agencies, coordinators
	k.mu.Unlock()
}

// Fetch reads the registry's current value (a JetStream direct get through the agency's import).
func (k *Keys) Fetch(nc *nats.Conn, subject string) error {
	msg, err := nc.Request(subject, nil, 5*time.Second)
	if err != nil {
		return fmt.Errorf("reading the registry: %w", err)
	}
	return k.adoptJSON(msg.Data)
}

// Follow adopts every new revision of the registry as the exchange stores it.
func (k *Keys) Follow(nc *nats.Conn, subject string) error {
	_, err := nc.Subscribe(subject, func(m *nats.Msg) {
		if err := k.adoptJSON(m.Data); err != nil {
			logf("registry revision not understood: %v", err)
		}
	})
	return err
}

func (k *Keys) adoptJSON(data []byte) error {
	var r Registry
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	k.Adopt(r)
	return nil
}

// keyFor is the key `key` of `sender` as the registry lists it, checked against the moment the
// exchange stored the message; for ATIX, whether `key` is a coordinator key.
func (k *Keys) keyFor(sender, key string, storedAt time.Time) error {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if sender == "ATIX" {
		if !k.coordinators[key] {
			return fmt.Errorf("%s is not a coordinator key of the registry", key)
		}
		return nil
	}
	keys, ok := k.agencies[sender]
	if !ok {
		return fmt.Errorf("%s is not an agency of the registry", sender)
	}
	for _, ak := range keys {
		if ak.PublicKey != key {
			continue
		}
		if ak.ValidFrom != "" {
			if from, err := time.Parse(time.RFC3339Nano, ak.ValidFrom); err == nil && storedAt.Before(from) {
				return fmt.Errorf("%s's key %s is valid only from %s", sender, key, ak.ValidFrom)
			}
		}
		if ak.ValidUntil != "" {
			if until, err := time.Parse(time.RFC3339Nano, ak.ValidUntil); err == nil && !storedAt.Before(until) {
				return fmt.Errorf("%s's key %s was retired at %s", sender, key, ak.ValidUntil)
			}
		}
		return nil
	}
	return fmt.Errorf("%s is not a key the registry lists for %s", key, sender)
}

// Verify checks a parsed message's signature: Ed25519 by a key valid for its sender when the
// exchange stored it, over the JCS form of the message without its signature.
func (k *Keys) Verify(m map[string]interface{}, storedAt time.Time) error {
	sig, ok := m["signature"].(map[string]interface{})
	if !ok {
		return fmt.Errorf("unsigned")
	}
	key, _ := sig["key"].(string)
	value, _ := sig["value"].(string)
	sender, _ := m["sender"].(string)
	if err := k.keyFor(sender, key, storedAt); err != nil {
		return err
	}
	unsigned := map[string]interface{}{}
	for f, v := range m {
		if f != "signature" {
			unsigned[f] = v
		}
	}
	data, err := canonical(unsigned)
	if err != nil {
		return err
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return fmt.Errorf("signature.value is not base64url: %w", err)
	}
	pub, err := nkeys.FromPublicKey(key)
	if err != nil {
		return fmt.Errorf("signature.key: %w", err)
	}
	if err := pub.Verify([]byte(data), raw); err != nil {
		return fmt.Errorf("the signature does not verify: %w", err)
	}
	return nil
}

// storedAt is when the exchange stored a delivery's message: the Atix-Submitted-At header when the
// coordinator set it (a key being rotated), else the delivery's own JetStream timestamp.
func storedAt(msg *nats.Msg) time.Time {
	if h := msg.Header.Get("Atix-Submitted-At"); h != "" {
		if t, err := time.Parse(time.RFC3339Nano, h); err == nil {
			return t
		}
	}
	if meta, err := msg.Metadata(); err == nil {
		return meta.Timestamp
	}
	return time.Now()
}

func decodeB64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
