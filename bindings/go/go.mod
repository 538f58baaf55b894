module example.invalid/fleetup/bindings/go

go 1.22
