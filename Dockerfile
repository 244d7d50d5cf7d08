# Multi-stage build: a static binary in a small non-root image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -tags goolm -trimpath -ldflags "-s -w" -o /out/relais ./cmd/relais

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/relais /usr/local/bin/relais
USER nonroot:nonroot
# 8080: /healthz, /readyz and the webhook. /metrics stays on the container's
# loopback (RELAIS_METRICS_ADDR, default 127.0.0.1:9090) and is not exposed.
ENV RELAIS_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/relais"]
CMD ["serve"]
