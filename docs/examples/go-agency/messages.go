// Making ATIX messages: the simulated clock, UUID v7 ids dated at sentAt, the envelope, the
// signature (Ed25519 with the agency's seed over the JCS form), and submitting through JetStream.
package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// Clock is the exchange clock as broadcast on atix.clock (epoch ms).
type Clock struct {
	SimAnchor  float64 `json:"simAnchor"`
	WallAnchor float64 `json:"wallAnchor"`
	Speed      float64 `json:"speed"`
	Paused     bool    `json:"paused"`
}

type SimClock struct {
	mu    sync.RWMutex
	state Clock
}

func (c *SimClock) Set(s Clock) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
}

// Now is simulated now: simAnchor + (wall now - wallAnchor) x speed (simAnchor while paused).
func (c *SimClock) Now() time.Time {
	c.mu.RLock()
	s := c.state
	c.mu.RUnlock()
	ms := s.SimAnchor
	if !s.Paused {
		ms += (float64(time.Now().UnixMilli()) - s.WallAnchor) * s.Speed
	}
	return time.UnixMilli(int64(ms)).UTC()
}

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// newID is a UUID v7 whose time is `at` (simulated time, like sentAt), the rest random.
func newID(at time.Time) string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err)
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(at.UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = 0x70 | (b[6] & 0x0f) // version 7
	b[8] = 0x80 | (b[8] & 0x3f) // variant 10
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Agency signs and submits as one agency.
type Agency struct {
	ID    string
	Key   nkeys.KeyPair
	Pub   string
	Clock *SimClock
	JS    nats.JetStreamContext
}

// Compose builds a message of `kind` with a new id dated at sentAt (now, simulated).
func (a *Agency) Compose(kind string, body map[string]interface{}, inReplyTo string) map[string]interface{} {
	now := a.Clock.Now()
	m := map[string]interface{}{
		"id": newID(now), "kind": kind, "schemaVersion": "1.0", "sender": a.ID, "sentAt": iso(now), "body": body,
	}
	if inReplyTo != "" {
		m["inReplyTo"] = inReplyTo
	}
	return m
}

// Sign sets the message's signature and returns its JSON.
func (a *Agency) Sign(m map[string]interface{}) ([]byte, error) {
	delete(m, "signature")
	data, err := canonical(m)
	if err != nil {
		return nil, err
	}
	sig, err := a.Key.Sign([]byte(data))
	if err != nil {
		return nil, err
	}
	m["signature"] = map[string]interface{}{"alg": "ed25519", "key": a.Pub, "value": base64.RawURLEncoding.EncodeToString(sig)}
	return json.Marshal(m)
}

// Submit signs and publishes through JetStream with Nats-Msg-Id = the message id; a retry after a
// timeout reuses the id, so the stream stores it once. (Synchronous: nats.go 1.22's PublishAsync
// does not use the custom inbox prefix, so its acks would be refused.)
func (a *Agency) Submit(m map[string]interface{}) error {
	data, err := a.Sign(m)
	if err != nil {
		return err
	}
	subject := fmt.Sprintf("atix.submit.%s.%s", a.ID, m["kind"])
	id := m["id"].(string)
	for attempt := 1; ; attempt++ {
		_, err = a.JS.Publish(subject, data, nats.MsgId(id), nats.AckWait(5*time.Second))
		if err == nil || attempt == 5 {
			return err
		}
		time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
	}
}
