// Command trivy-db-fixture writes a small, real Trivy vulnerability DB (schema 2: a bbolt file plus
// metadata.json) from a YAML fixture in the bolt-fixtures layout Trivy's own tests use:
//
//	- bucket: debian 12          # a bucket holds buckets and/or key-value pairs
//	  pairs:
//	    - bucket: zlib
//	      pairs:
//	        - key: CVE-2023-45853
//	          value: {FixedVersion: ...}   # values are stored as JSON
//
// It exists because the machines that run perfbox's tests cannot download Trivy's DB: with this file in
// <cache-dir>/db, `trivy image --cache-dir <cache-dir> --skip-db-update --offline-scan` scans for real.
//
// Usage: trivy-db-fixture -fixture FILE.yaml -cache-dir DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	"gopkg.in/yaml.v3"
)

// schemaVersion is the DB schema Trivy 0.58 reads (trivy-db's db.SchemaVersion).
const schemaVersion = 2

type node struct {
	Bucket string `yaml:"bucket"`
	Key    string `yaml:"key"`
	Value  any    `yaml:"value"`
	Pairs  []node `yaml:"pairs"`
}

type metadata struct {
	Version      int
	NextUpdate   time.Time
	UpdatedAt    time.Time
	DownloadedAt time.Time
}

func main() {
	fixture := flag.String("fixture", "", "YAML fixture (bolt-fixtures layout)")
	cacheDir := flag.String("cache-dir", "", "Trivy cache directory to write db/trivy.db and db/metadata.json into")
	flag.Parse()
	if *fixture == "" || *cacheDir == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*fixture, *cacheDir); err != nil {
		fmt.Fprintln(os.Stderr, "trivy-db-fixture:", err)
		os.Exit(1)
	}
}

func run(fixturePath, cacheDir string) error {
	raw, err := os.ReadFile(fixturePath)
	if err != nil {
		return err
	}
	var roots []node
	if err := yaml.Unmarshal(raw, &roots); err != nil {
		return fmt.Errorf("%s: %w", fixturePath, err)
	}
	dbDir := filepath.Join(cacheDir, "db")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return err
	}
	dbPath := filepath.Join(dbDir, "trivy.db")
	// A fresh file every time: the DB is exactly the fixture, nothing left from an earlier one.
	if err := os.Remove(dbPath); err != nil && !os.IsNotExist(err) {
		return err
	}
	db, err := bolt.Open(dbPath, 0o644, &bolt.Options{Timeout: 10 * time.Second})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, r := range roots {
			if r.Bucket == "" {
				return fmt.Errorf("top-level entries must be buckets, found key %q", r.Key)
			}
			b, err := tx.CreateBucketIfNotExists([]byte(r.Bucket))
			if err != nil {
				return err
			}
			if err := fill(b, r.Pairs, r.Bucket); err != nil {
				return err
			}
		}
		return nil
	})
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	meta, err := json.Marshal(metadata{Version: schemaVersion, NextUpdate: now.AddDate(100, 0, 0), UpdatedAt: now, DownloadedAt: now})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dbDir, "metadata.json"), meta, 0o644)
}

func fill(b *bolt.Bucket, pairs []node, path string) error {
	for _, p := range pairs {
		switch {
		case p.Bucket != "":
			child, err := b.CreateBucketIfNotExists([]byte(p.Bucket))
			if err != nil {
				return err
			}
			if err := fill(child, p.Pairs, path+"/"+p.Bucket); err != nil {
				return err
			}
		case p.Key != "":
			value, err := json.Marshal(p.Value)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", path, p.Key, err)
			}
			if err := b.Put([]byte(p.Key), value); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: an entry needs a bucket or a key", path)
		}
	}
	return nil
}
