module perfbox.io/tools/trivy-db-fixture

go 1.22

require (
	go.etcd.io/bbolt v1.3.11
	gopkg.in/yaml.v3 v3.0.1
)

require golang.org/x/sys v0.4.0 // indirect
