module github.com/libdrsync/drsync/bindings/go

go 1.22
