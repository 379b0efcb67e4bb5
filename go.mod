module github.com/sharebench/sharebench

go 1.26.0

require (
	github.com/HdrHistogram/hdrhistogram-go v1.4.0
	go.yaml.in/yaml/v3 v3.0.6
)
