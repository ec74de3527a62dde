/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's origin when the UI is served elsewhere (https://api.example.com); unset: the same origin. */
  readonly VITE_API_ORIGIN?: string;
}
