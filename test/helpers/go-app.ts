/** A two-stage Go app: compiled in the golang image, copied into busybox. */
export const goAppFiles = (message: string): Record<string, string> => ({
  Dockerfile: [
    "ARG GO_VERSION=1.19",
    "FROM golang:${GO_VERSION} AS build",
    "WORKDIR /src",
    "COPY . .",
    "RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app .",
    "RUN test ! -e /src/secret.txt",
    "FROM busybox",
    "COPY --from=build /out/app /app",
    'ENTRYPOINT ["/app"]',
  ].join("\n"),
  ".dockerignore": "secret.txt\n",
  "secret.txt": "not for the image\n",
  "go.mod": "module example.com/app\n\ngo 1.19\n",
  "main.go": `package main\n\nimport "fmt"\n\nfunc main() { fmt.Println(${JSON.stringify(message)}) }\n`,
});
