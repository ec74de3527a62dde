// Generated from openapi.json by `npm run api` (scripts/openapi.mjs). Do not edit by hand.

export interface paths {
    "/api/v1/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete your account (confirm with your password); the last admin cannot */
        delete: operations["delete_account_api_v1_account_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your API keys (never the keys themselves) */
        get: operations["list_keys_api_v1_account_api_keys_get"];
        put?: never;
        /** Create an API key: the answer holds the key, shown this once */
        post: operations["create_key_api_v1_account_api_keys_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/api-keys/{key_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of your API keys */
        delete: operations["revoke_key_api_v1_account_api_keys__key_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/consent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What you accepted, and whether the current versions still need accepting */
        get: operations["consent_status_api_v1_account_consent_get"];
        put?: never;
        /** Accept the current privacy notice and terms (the versions you read) */
        post: operations["consent_give_api_v1_account_consent_post"];
        /** Withdraw your consent: signs you out everywhere and revokes your API keys */
        delete: operations["consent_withdraw_api_v1_account_consent_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download everything Market Edge keeps about you */
        get: operations["export_account_api_v1_account_export_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first */
        get: operations["read_audit_api_v1_admin_audit_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log as CSV or JSON (a download), oldest first */
        get: operations["export_audit_api_v1_admin_audit_export_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/calendar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The year's calendar as the app knows it, with where each day came from */
        get: operations["read_calendar_api_v1_admin_calendar_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/calendar/{day}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Override one date: closed, or open at given hours (outranks Upstox's calendar) */
        put: operations["set_day_api_v1_admin_calendar__day__put"];
        post?: never;
        /** Remove the operator's override of a date (Upstox's calendar, or the bundled list, decides again) */
        delete: operations["unset_day_api_v1_admin_calendar__day__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/calendar/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Read the holiday list and the next days' timings from Upstox now */
        post: operations["refresh_api_v1_admin_calendar_refresh_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/ingest/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Poll the current minute now (idempotent, one at a time); the external scheduler's trigger */
        post: operations["run_ingest_api_v1_admin_ingest_run_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/universe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tracked indices, in display order, and the indices Market Edge knows */
        get: operations["read_universe_api_v1_admin_universe_get"];
        /** Track exactly these indices, in this order (takes effect at the next minute) */
        put: operations["update_universe_api_v1_admin_universe_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every user */
        get: operations["list_users_api_v1_admin_users_get"];
        put?: never;
        /** Create a user with a password */
        post: operations["create_user_api_v1_admin_users_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/admin/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a user with their sessions and keys (the last admin stays) */
        delete: operations["delete_user_api_v1_admin_users__user_id__delete"];
        options?: never;
        head?: never;
        /** Change a user's role, or disable or enable them (the last admin stays) */
        patch: operations["update_user_api_v1_admin_users__user_id__patch"];
        trace?: never;
    };
    "/api/v1/admin/users/invite": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Invite a user: answers a one-time password they must change at first sign-in */
        post: operations["invite_user_api_v1_admin_users_invite_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in: sets the session cookie and answers the CSRF token */
        post: operations["login_api_v1_auth_login_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out: ends this session */
        post: operations["logout_api_v1_auth_logout_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is signed in (and the CSRF token of this session) */
        get: operations["me_api_v1_auth_me_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change your password: every other session of yours ends */
        post: operations["change_password_api_v1_auth_password_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/broker/upstox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Disconnect: log out at Upstox and delete the stored token */
        delete: operations["disconnect_api_v1_broker_upstox_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/broker/upstox/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Upstox's OAuth redirect: exchanges the code, validates and stores the token, 302 to /broker */
        get: operations["upstox_callback_api_v1_broker_upstox_callback_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/broker/upstox/connect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Start the Upstox login: 302 to Upstox's authorization dialog (navigate the browser here) */
        get: operations["connect_api_v1_broker_upstox_connect_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/broker/upstox/notifier": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Upstox's notifier webhook: an approved v3 token, validated with Upstox before it is stored */
        post: operations["notifier_api_v1_broker_upstox_notifier_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/broker/upstox/request": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send the v3 token request: the account holder approves on their phone; the token arrives at the notifier */
        post: operations["request_token_api_v1_broker_upstox_request_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/broker/upstox/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The Upstox connection: token kind, user, validity, renewal, recent events (never the token) */
        get: operations["get_status_api_v1_broker_upstox_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/broker/upstox/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Store a pasted token (access or analytics) after Upstox has validated it */
        post: operations["paste_token_api_v1_broker_upstox_token_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The option chain at a stored minute (default: the latest), both sides, greeks with the source of their IV */
        get: operations["chain_api_v1_chain_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/greeks/strike": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One contract's minutes: price, IV, greeks, OI, with the change since baseline and minute change */
        get: operations["greeks_strike_api_v1_greeks_strike_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/greeks/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The greeks tracker: per minute, calls, puts and net inside the delta band, with both changes */
        get: operations["greeks_summary_api_v1_greeks_summary_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/instruments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tracked indices: symbol, Upstox key, lot size, strike step, expiries with data */
        get: operations["instruments_api_v1_instruments_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/legal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The legal documents and their versions */
        get: operations["documents_api_v1_legal_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/legal/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One legal document, in Markdown */
        get: operations["document_api_v1_legal__name__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Trading days with stored data for an instrument, with minute counts and gaps */
        get: operations["sessions_api_v1_sessions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Market state, data freshness, today's runs and gaps, and the poller, for the status screen */
        get: operations["status_api_v1_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-Sent Events: a tracker update the moment a minute is stored; heartbeats; Last-Event-ID resumes */
        get: operations["stream_api_v1_stream_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tracker": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tracker screen's opening answer: status, instruments, sessions and the summary in one
         * @description Each part is exactly what its own endpoint answers (`/status`, `/instruments`, `/sessions` for the instrument, `/greeks/summary` for the same parameters). A part that its endpoint would answer 404 (no data on that date, an unknown expiry) is null and `errors` holds that answer's status and body; without `instrument`, the first index /instruments lists is the one asked about; parameter errors answer 422 for the whole request. One request instead of four, for the 09:15 arrival of everyone at once (docs/scaling.md).
         */
        get: operations["tracker_api_v1_tracker_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness (alias of /health/live) */
        get: operations["live_health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers; no I/O */
        get: operations["live_health_live_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: database, cache, scheduler, data freshness, broker token */
        get: operations["ready_health_ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (text exposition format): admins, or an API key with the admin scope */
        get: operations["metrics_route_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** AccountDelete */
        AccountDelete: {
            /**
             * Password
             * Format: password
             */
            password: string;
        };
        /** AccountExport */
        AccountExport: {
            /** Api Keys */
            api_keys: components["schemas"]["ApiKeyRead"][];
            /** Audit Events */
            audit_events: components["schemas"]["AuditEventRead"][];
            /**
             * Consents
             * @description Every consent you gave or withdrew, oldest first
             */
            consents: components["schemas"]["ConsentRecord"][];
            /**
             * Exported At
             * Format: date-time
             */
            exported_at: string;
            /** Note */
            note: string;
            /** Sessions */
            sessions: components["schemas"]["SessionRead"][];
            user: components["schemas"]["UserRead"];
        };
        /** ApiKeyCreate */
        ApiKeyCreate: {
            /** Expires In Days */
            expires_in_days?: number | null;
            /** Name */
            name: string;
            /** Scopes */
            scopes?: components["schemas"]["Scope"][];
        };
        /** ApiKeyCreated */
        ApiKeyCreated: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at: string | null;
            /** Id */
            id: number;
            /**
             * Key
             * @description The key itself: shown this once, never again. Send it as `Bearer <key>`.
             */
            key: string;
            /** Last Used At */
            last_used_at: string | null;
            /** Name */
            name: string;
            /** Prefix */
            prefix: string;
            /** Revoked At */
            revoked_at: string | null;
            /** Scopes */
            scopes: components["schemas"]["Scope"][];
        };
        /** ApiKeyRead */
        ApiKeyRead: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Expires At */
            expires_at: string | null;
            /** Id */
            id: number;
            /** Last Used At */
            last_used_at: string | null;
            /** Name */
            name: string;
            /** Prefix */
            prefix: string;
            /** Revoked At */
            revoked_at: string | null;
            /** Scopes */
            scopes: components["schemas"]["Scope"][];
        };
        /** AuditEventRead */
        AuditEventRead: {
            /** Action */
            action: string;
            /** Actor */
            actor: string;
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Details */
            details: {
                [key: string]: unknown;
            } | null;
            /** Id */
            id: number;
            /** Ip */
            ip: string | null;
            /** Target */
            target: string | null;
        };
        /** AuditPage */
        AuditPage: {
            /** Events */
            events: components["schemas"]["AuditEventRead"][];
            /**
             * Next Before Id
             * @description Pass as before_id for the next (older) page; null at the end.
             */
            next_before_id: number | null;
        };
        /** BandRead */
        BandRead: {
            /** Delta Max */
            delta_max: number;
            /** Delta Min */
            delta_min: number;
            selection: components["schemas"]["Selection"];
        };
        /** BaselineRead */
        BaselineRead: {
            /** Late By Minutes */
            late_by_minutes: number;
            /**
             * Minute
             * Format: date-time
             * @description The stored minute used: the first at or after the requested one
             */
            minute: string;
            /**
             * Requested
             * Format: date-time
             */
            requested: string;
        };
        /** BrokerStatus */
        BrokerStatus: {
            /**
             * Broker
             * @default upstox
             * @constant
             */
            broker: "upstox";
            /**
             * Connected
             * @description a token is stored
             */
            connected: boolean;
            /**
             * Events
             * @description recent token events, newest first
             */
            events: components["schemas"]["TokenEventRead"][];
            renewal: components["schemas"]["RenewalRead"];
            setup: components["schemas"]["SetupRead"];
            /**
             * Simulated
             * @description true when the built-in Upstox twin stands in for Upstox (the demo)
             */
            simulated: boolean;
            token: components["schemas"]["TokenRead"] | null;
            /**
             * Usable
             * @description a token is stored, valid and readable: Upstox calls can be made
             */
            usable: boolean;
            /**
             * Without Token From
             * @description when the app is (or will be) without a usable token before the end of the next session, unless it is renewed; null when the token covers it
             */
            without_token_from: string | null;
        };
        /** CalendarDayRead */
        CalendarDayRead: {
            /**
             * Close
             * @description HH:MM IST, the last minute of a session
             */
            close: string | null;
            /**
             * Date
             * Format: date
             */
            date: string;
            /** Description */
            description: string;
            /**
             * Kind
             * @enum {string}
             */
            kind: "holiday" | "session" | "settlement";
            /**
             * Open
             * @description HH:MM IST, for a session
             */
            open: string | null;
            /**
             * Source
             * @enum {string}
             */
            source: "operator" | "upstox" | "bundled" | "provisional";
            /**
             * Trading
             * @description Whether the market trades that day, all layers considered
             */
            trading: boolean;
        };
        /** CalendarOverride */
        CalendarOverride: {
            /**
             * Close
             * @example 15:30
             */
            close?: string | null;
            /**
             * Description
             * @default
             */
            description: string;
            /**
             * Open
             * @example 09:15
             */
            open?: string | null;
            /**
             * State
             * @enum {string}
             */
            state: "closed" | "open";
        };
        /** CalendarRead */
        CalendarRead: {
            /**
             * Days
             * @description Every date some source says something about, in order
             */
            days: components["schemas"]["CalendarDayRead"][];
            /**
             * Last Refresh
             * @description This process's last read from Upstox
             */
            last_refresh: {
                [key: string]: unknown;
            } | null;
            /**
             * List Source
             * @description Where the year's holiday list came from; null: no list (weekdays are assumed to trade)
             */
            list_source: ("upstox" | "bundled" | "provisional") | null;
            /** Year */
            year: number;
        };
        /** ChainRead */
        ChainRead: {
            /** Atm Strike */
            atm_strike: number;
            ce: components["schemas"]["ChainSideRead"];
            /**
             * Date
             * Format: date
             */
            date: string;
            /**
             * Expiry
             * Format: date
             */
            expiry: string;
            /** Instrument */
            instrument: string;
            /**
             * Minute
             * Format: date-time
             * @description The stored minute shown: the latest at or before the one asked
             */
            minute: string;
            /**
             * Minutes Stored
             * @description Every stored minute of the day, for a replay
             */
            minutes_stored: string[];
            pe: components["schemas"]["ChainSideRead"];
            /** Requested */
            requested: string | null;
            /** Spot */
            spot: number;
            /** Strikes */
            strikes: number[];
            /** Units */
            units: {
                [key: string]: string;
            };
        };
        /** ChainSideRead */
        ChainSideRead: {
            /** Ask */
            ask: (number | null)[];
            /** Bid */
            bid: (number | null)[];
            /** Delta */
            delta: (number | null)[];
            /** Gamma */
            gamma: (number | null)[];
            /**
             * Iv
             * @description A fraction: 0.142 is 14.2 %
             */
            iv: (number | null)[];
            /** Ltp */
            ltp: (number | null)[];
            /** Oi */
            oi: (number | null)[];
            /** Oi Change */
            oi_change: (number | null)[];
            /** Prev Oi */
            prev_oi: (number | null)[];
            /**
             * Source
             * @description Where the IV behind each strike's greeks came from (every greek is our engine's): upstox, engine (implied from the price), backfill (from candles), none
             */
            source: ("upstox" | "engine" | "backfill" | "none")[];
            /**
             * Theta
             * @description Per calendar day
             */
            theta: (number | null)[];
            /**
             * Vega
             * @description Per volatility point
             */
            vega: (number | null)[];
            /** Volume */
            volume: (number | null)[];
        };
        /** ConsentGive */
        ConsentGive: {
            /**
             * Privacy
             * @description The version of the privacy notice you read and accept
             */
            privacy: string;
            /**
             * Terms
             * @description The version of the terms of use you read and accept
             */
            terms: string;
        };
        /** ConsentRead */
        ConsentRead: {
            /**
             * Accepted
             * @description document → the version accepted and standing
             */
            accepted: {
                [key: string]: string;
            };
            /**
             * Current
             * @description True when the current versions are accepted
             */
            current: boolean;
            /** History */
            history: components["schemas"]["ConsentRecord"][];
            /**
             * Required
             * @description document → the version to accept now
             */
            required: {
                [key: string]: string;
            };
        };
        /** ConsentRecord */
        ConsentRecord: {
            /**
             * Document
             * @description privacy or terms
             */
            document: string;
            /**
             * Given At
             * Format: date-time
             */
            given_at: string;
            /**
             * Ip
             * @description The network address the consent was given from
             */
            ip?: string | null;
            /** Version */
            version: string;
            /**
             * Withdrawn At
             * @description Withdrawn, or superseded by a later acceptance
             */
            withdrawn_at: string | null;
        };
        /** DisconnectAnswer */
        DisconnectAnswer: {
            /**
             * Disconnected
             * @description false when no token was stored
             */
            disconnected: boolean;
            /**
             * Logged Out
             * @description Upstox confirmed the logout (false when it was already dead)
             */
            logged_out: boolean;
        };
        /** DocumentRead */
        DocumentRead: {
            /**
             * Markdown
             * @description The text, in Markdown
             */
            markdown: string;
            /**
             * Name
             * @description privacy, terms, disclaimer or accessibility
             */
            name: string;
            /** Title */
            title: string;
            /** Version */
            version: string;
        };
        /** DocumentsRead */
        DocumentsRead: {
            /**
             * Consent To
             * @description The documents a person accepts before using the service
             */
            consent_to: string[];
            /** Documents */
            documents: components["schemas"]["DocumentSummary"][];
        };
        /** DocumentSummary */
        DocumentSummary: {
            /**
             * Name
             * @description privacy, terms, disclaimer or accessibility
             */
            name: string;
            /** Title */
            title: string;
            /** Version */
            version: string;
        };
        /** ErrorBody */
        ErrorBody: {
            error: components["schemas"]["ErrorDetail"];
        };
        /** ErrorDetail */
        ErrorDetail: {
            /** Code */
            code: string;
            /** Details */
            details?: unknown;
            /** Message */
            message: string;
            /** Request Id */
            request_id?: string | null;
        };
        /**
         * Format
         * @enum {string}
         */
        Format: "json" | "csv";
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** IngestRunRead */
        IngestRunRead: {
            /** Duration Ms */
            duration_ms?: number | null;
            /** Error */
            error?: string | null;
            /**
             * Minute
             * @description The IST minute asked for (ISO 8601)
             */
            minute: string;
            /**
             * Outcomes
             * @description Per instrument:expiry
             */
            outcomes?: {
                [key: string]: unknown;
            };
            /**
             * Run Status
             * @description The run's own status: ok, partial, failed, skipped
             */
            run_status?: string | null;
            /**
             * Status
             * @description ran, already_done (idempotent), running (answered before it ended; it goes on), market_closed, no_token, not_leader (another replica polls), catching_up, failed
             */
            status: string;
        };
        /** InstrumentRead */
        InstrumentRead: {
            /** Enabled */
            enabled: boolean;
            /** Exchange */
            exchange: string;
            /**
             * Expiries
             * @description Every expiry with stored data, on any day
             */
            expiries: string[];
            /** Instrument Key */
            instrument_key: string;
            /**
             * Latest Date
             * @description The latest trading day with stored data
             */
            latest_date: string | null;
            /** Lot Size */
            lot_size: number | null;
            /** Name */
            name: string;
            /** Strike Step */
            strike_step: number | null;
            /** Symbol */
            symbol: string;
        };
        /** InstrumentsRead */
        InstrumentsRead: {
            /** Instruments */
            instruments: components["schemas"]["InstrumentRead"][];
        };
        /**
         * Interval
         * @enum {string}
         */
        Interval: "1" | "3" | "5" | "15";
        /** InviteAnswer */
        InviteAnswer: {
            /**
             * One Time Password
             * @description Shown once: give it to the person; they must choose their own at first sign-in.
             */
            one_time_password: string;
            user: components["schemas"]["UserRead"];
        };
        /** LoginAnswer */
        LoginAnswer: {
            /** @description For a browser session: whether the consent screen must be shown first. */
            consent?: components["schemas"]["MeConsent"] | null;
            /**
             * Csrf Token
             * @description For a browser session: send it as X-CSRF-Token on every POST/PATCH/DELETE.
             */
            csrf_token?: string | null;
            /**
             * Scopes
             * @description For an API key: what it may do.
             */
            scopes?: components["schemas"]["Scope"][] | null;
            /** Session Expires At */
            session_expires_at?: string | null;
            user: components["schemas"]["UserRead"];
            /**
             * Via
             * @enum {string}
             */
            via: "session" | "api_key";
        };
        /** LoginRequest */
        LoginRequest: {
            /**
             * Email
             * @example asha@example.com
             */
            email: string;
            /**
             * Password
             * Format: password
             */
            password: string;
        };
        /** MeConsent */
        MeConsent: {
            /**
             * Current
             * @description The current privacy notice and terms are accepted
             */
            current: boolean;
            /**
             * Needed
             * @description Show the consent screen: required, and not (or no longer) current
             */
            needed: boolean;
            /**
             * Required
             * @description CONSENT_REQUIRED is on: nothing but the account's own routes works before consent
             */
            required: boolean;
        };
        /** MeRead */
        MeRead: {
            /** @description For a browser session: whether the consent screen must be shown first. */
            consent?: components["schemas"]["MeConsent"] | null;
            /**
             * Csrf Token
             * @description For a browser session: send it as X-CSRF-Token on every POST/PATCH/DELETE.
             */
            csrf_token?: string | null;
            /**
             * Scopes
             * @description For an API key: what it may do.
             */
            scopes?: components["schemas"]["Scope"][] | null;
            /** Session Expires At */
            session_expires_at?: string | null;
            user: components["schemas"]["UserRead"];
            /**
             * Via
             * @enum {string}
             */
            via: "session" | "api_key";
        };
        /** NotifierAnswer */
        NotifierAnswer: {
            /**
             * Accepted
             * @default true
             */
            accepted: boolean;
        };
        /** PartError */
        PartError: {
            /** @description Its error, in the app's one error shape */
            error: components["schemas"]["ErrorDetail"];
            /**
             * Status
             * @description The HTTP status the part's own endpoint answers
             */
            status: number;
        };
        /** PasswordChange */
        PasswordChange: {
            /**
             * Current Password
             * Format: password
             */
            current_password: string;
            /**
             * New Password
             * Format: password
             */
            new_password: string;
        };
        /** RenewalRead */
        RenewalRead: {
            /**
             * Next At
             * @description the next scheduled daily check (a trading day)
             */
            next_at: string | null;
            /** Reminder Minutes */
            reminder_minutes: number;
            /**
             * Reminding Until
             * @description reminders run until then unless a token lands
             */
            reminding_until: string | null;
            /** @description the latest v3 token request */
            request: components["schemas"]["TokenRequestRead"] | null;
            /**
             * Time
             * @description RENEWAL_TIME, HH:MM IST
             * @example 08:30
             */
            time: string;
            /**
             * Waiting For Approval
             * @description a v3 request is pending on the account holder's phone
             */
            waiting_for_approval: boolean;
        };
        /**
         * Role
         * @enum {string}
         */
        Role: "viewer" | "admin";
        /**
         * Scope
         * @description What an API key may do; a key never does more than its owner's role allows.
         * @enum {string}
         */
        Scope: "read" | "ingest" | "admin";
        /**
         * Selection
         * @enum {string}
         */
        Selection: "dynamic" | "fixed";
        /** SeriesRead */
        SeriesRead: {
            /**
             * Change
             * @description level minus the baseline minute's level
             */
            change: (number | null)[];
            /** Level */
            level: (number | null)[];
            /**
             * Minute Change
             * @description level minus the previous row's level
             */
            minute_change: (number | null)[];
        };
        /** SessionRead */
        SessionRead: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Expires At
             * Format: date-time
             */
            expires_at: string;
            /** Ip */
            ip: string | null;
            /**
             * Last Seen At
             * Format: date-time
             */
            last_seen_at: string;
            /** Revoked At */
            revoked_at: string | null;
            /** User Agent */
            user_agent: string | null;
        };
        /** SessionsRead */
        SessionsRead: {
            /** Instrument */
            instrument: string;
            /**
             * Sessions
             * @description Trading days with data, newest first
             */
            sessions: components["schemas"]["TradingDayRead"][];
        };
        /** SetupRead */
        SetupRead: {
            /**
             * Alert Webhook
             * @description ALERT_WEBHOOK_URL is set
             */
            alert_webhook: boolean;
            /**
             * Client Configured
             * @description UPSTOX_CLIENT_ID and _SECRET are set: Connect and Request work
             */
            client_configured: boolean;
            /**
             * Notifier Url
             * @description register this on the Upstox app as the notifier webhook
             */
            notifier_url: string | null;
            /**
             * Redirect Uri
             * @description register this on the Upstox app as the redirect URL
             */
            redirect_uri: string | null;
        };
        /**
         * Side
         * @enum {string}
         */
        Side: "CE" | "PE";
        /** SideSeriesRead */
        SideSeriesRead: {
            delta: components["schemas"]["SeriesRead"];
            gamma: components["schemas"]["SeriesRead"];
            /** @description A fraction: 0.142 is 14.2 % */
            iv_mean: components["schemas"]["SeriesRead"];
            /** @description A fraction, weighted by open interest */
            iv_oi_weighted: components["schemas"]["SeriesRead"];
            oi: components["schemas"]["SeriesRead"];
            /** @description How many strikes are in the band */
            strikes: components["schemas"]["SeriesRead"];
            /** @description Per calendar day */
            theta: components["schemas"]["SeriesRead"];
            /** @description Per volatility point */
            vega: components["schemas"]["SeriesRead"];
            volume: components["schemas"]["SeriesRead"];
        };
        /** StrikeBaselineRead */
        StrikeBaselineRead: {
            /**
             * Minute
             * Format: date-time
             */
            minute: string;
            /**
             * Requested
             * Format: date-time
             */
            requested: string;
        };
        /** StrikeRead */
        StrikeRead: {
            baseline: components["schemas"]["StrikeBaselineRead"];
            /**
             * Date
             * Format: date
             */
            date: string;
            /**
             * Expiry
             * Format: date
             */
            expiry: string;
            /** Instrument */
            instrument: string;
            /** Minutes */
            minutes: string[];
            series: components["schemas"]["StrikeSeriesRead"];
            /**
             * Side
             * @enum {string}
             */
            side: "CE" | "PE";
            /** Span */
            span: (number | null)[];
            /** Spot */
            spot: (number | null)[];
            /** Strike */
            strike: number;
        };
        /** StrikeSeriesRead */
        StrikeSeriesRead: {
            delta: components["schemas"]["SeriesRead"];
            gamma: components["schemas"]["SeriesRead"];
            /** @description A fraction: 0.142 is 14.2 % */
            iv: components["schemas"]["SeriesRead"];
            ltp: components["schemas"]["SeriesRead"];
            oi: components["schemas"]["SeriesRead"];
            /** @description Per calendar day */
            theta: components["schemas"]["SeriesRead"];
            /** @description Per volatility point */
            vega: components["schemas"]["SeriesRead"];
            volume: components["schemas"]["SeriesRead"];
        };
        /** SummaryRead */
        SummaryRead: {
            band: components["schemas"]["BandRead"];
            baseline: components["schemas"]["BaselineRead"];
            /**
             * Date
             * Format: date
             */
            date: string;
            /**
             * Expiry
             * Format: date
             */
            expiry: string;
            /** Instrument */
            instrument: string;
            /**
             * Interval
             * @description Minutes per row: 1, 3, 5 or 15
             */
            interval: number;
            /**
             * Latest Minute
             * Format: date-time
             */
            latest_minute: string;
            /**
             * Minutes
             * @description One per row, IST (+05:30)
             */
            minutes: string[];
            series: components["schemas"]["SummarySeriesRead"];
            /**
             * Span
             * @description How many minutes a row's minute change covers; null on the first row
             */
            span: (number | null)[];
            /** Spot */
            spot: (number | null)[];
        };
        /** SummarySeriesRead */
        SummarySeriesRead: {
            ce: components["schemas"]["SideSeriesRead"];
            net: components["schemas"]["SideSeriesRead"];
            pe: components["schemas"]["SideSeriesRead"];
        };
        /** TokenEventRead */
        TokenEventRead: {
            /**
             * Action
             * @example broker.token.stored
             */
            action: string;
            /** Actor */
            actor: string;
            /**
             * At
             * Format: date-time
             */
            at: string;
            /** Details */
            details: {
                [key: string]: unknown;
            } | null;
        };
        /**
         * TokenKind
         * @enum {string}
         */
        TokenKind: "access" | "v3" | "analytics";
        /** TokenPaste */
        TokenPaste: {
            /**
             * Kind
             * @description access: the daily token (valid until 03:30 IST the next day); analytics: the read-only token generated on Upstox's developer page, valid a year
             * @enum {string}
             */
            kind: "access" | "analytics";
            /**
             * Token
             * Format: password
             */
            token: string;
            /**
             * Valid Until
             * @description For an analytics token that does not carry its own expiry: the date Upstox shows it valid until (read from the token itself when it carries one)
             */
            valid_until?: string | null;
        };
        /**
         * TokenRead
         * @description The stored token, described (never the token itself). Instants are ISO 8601 with the IST offset.
         */
        TokenRead: {
            /**
             * Issued At
             * Format: date-time
             */
            issued_at: string;
            /** @description access (OAuth or pasted), v3 (the phone request), analytics */
            kind: components["schemas"]["TokenKind"];
            /** Last Validated At */
            last_validated_at: string | null;
            /**
             * Last Validation
             * @description ok, rejected, refused or unreachable
             */
            last_validation: string | null;
            /**
             * Readable
             * @description false when TOKEN_ENCRYPTION_KEY no longer holds the key it needs
             */
            readable: boolean;
            source: components["schemas"]["TokenSource"];
            /** @description valid, expired (past valid_until) or rejected (Upstox said 401) */
            status: components["schemas"]["TokenStatus"];
            /**
             * Stored At
             * Format: date-time
             */
            stored_at: string;
            /** Stored By */
            stored_by: string;
            upstox_user: components["schemas"]["UpstoxUser"] | null;
            /**
             * Valid Until
             * Format: date-time
             * @description 03:30 IST after issue; a year for analytics (an upper bound)
             */
            valid_until: string;
        };
        /** TokenRequestAnswer */
        TokenRequestAnswer: {
            /**
             * Authorization Expiry
             * Format: date-time
             */
            authorization_expiry: string;
            /**
             * Notifier Url
             * @description where Upstox says it will deliver the approved token
             */
            notifier_url: string | null;
            /**
             * Requested At
             * Format: date-time
             */
            requested_at: string;
        };
        /** TokenRequestRead */
        TokenRequestRead: {
            /**
             * Authorization Expiry
             * Format: date-time
             * @description Upstox lets the request lapse then (03:30 IST)
             */
            authorization_expiry: string;
            /**
             * Requested At
             * Format: date-time
             */
            requested_at: string;
            /** Requested By */
            requested_by: string;
            /**
             * State
             * @enum {string}
             */
            state: "pending" | "fulfilled" | "lapsed" | "cancelled";
            /**
             * Trigger
             * @description manual, renewal, rejected or cli
             */
            trigger: string;
        };
        /**
         * TokenSource
         * @enum {string}
         */
        TokenSource: "oauth" | "notifier" | "paste" | "cli" | "bootstrap" | "demo";
        /**
         * TokenStatus
         * @enum {string}
         */
        TokenStatus: "valid" | "expired" | "rejected";
        /** TrackedIndex */
        TrackedIndex: {
            /**
             * Expiries Tracked
             * @description How many of the nearest expiries
             * @default 2
             */
            expiries_tracked: number;
            /**
             * Symbol
             * @example NIFTY
             */
            symbol: string;
        };
        /**
         * TrackerRead
         * @description GET /tracker: each part is its own endpoint's answer; null when that answer is a 404 (see `errors`).
         */
        TrackerRead: {
            /**
             * Errors
             * @description Part name → the 404 its endpoint answers
             */
            errors: {
                [key: string]: components["schemas"]["PartError"];
            };
            instruments: components["schemas"]["InstrumentsRead"] | null;
            sessions: components["schemas"]["SessionsRead"] | null;
            /**
             * Status
             * @description GET /status (its shape is not published yet)
             */
            status: {
                [key: string]: unknown;
            } | null;
            summary: components["schemas"]["SummaryRead"] | null;
        };
        /** TradingDayExpiryRead */
        TradingDayExpiryRead: {
            /**
             * Expiry
             * Format: date
             */
            expiry: string;
            /**
             * First
             * Format: date-time
             */
            first: string;
            /**
             * Gaps
             * @description Minutes the session should have had so far that are missing
             */
            gaps: number | null;
            /**
             * Last
             * Format: date-time
             */
            last: string;
            /**
             * Minutes
             * @description Stored minutes
             */
            minutes: number;
        };
        /** TradingDayRead */
        TradingDayRead: {
            /**
             * Date
             * Format: date
             */
            date: string;
            /**
             * Expected Minutes
             * @description Minutes the session has had so far (all, once closed)
             */
            expected_minutes: number | null;
            /** Expiries */
            expiries: components["schemas"]["TradingDayExpiryRead"][];
        };
        /** UniverseRead */
        UniverseRead: {
            /** Instruments */
            instruments: {
                [key: string]: unknown;
            }[];
            /** Known */
            known: string[];
        };
        /** UniverseUpdate */
        UniverseUpdate: {
            /** Instruments */
            instruments: components["schemas"]["TrackedIndex"][];
        };
        /** UpstoxUser */
        UpstoxUser: {
            /** User Id */
            user_id?: string | null;
            /** User Name */
            user_name?: string | null;
        };
        /** UserCreate */
        UserCreate: {
            /**
             * Email
             * @example asha@example.com
             */
            email: string;
            /**
             * Password
             * Format: password
             */
            password: string;
            /** @default viewer */
            role: components["schemas"]["Role"];
        };
        /** UserInvite */
        UserInvite: {
            /**
             * Email
             * @example asha@example.com
             */
            email: string;
            /** @default viewer */
            role: components["schemas"]["Role"];
        };
        /** UserRead */
        UserRead: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Email */
            email: string;
            /** Id */
            id: number;
            /** Is Active */
            is_active: boolean;
            /** Last Login At */
            last_login_at: string | null;
            /** Must Change Password */
            must_change_password: boolean;
            role: components["schemas"]["Role"];
        };
        /** UserUpdate */
        UserUpdate: {
            /** Is Active */
            is_active?: boolean | null;
            role?: components["schemas"]["Role"] | null;
        };
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    delete_account_api_v1_account_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AccountDelete"];
            };
        };
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request cannot be done as asked */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_keys_api_v1_account_api_keys_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyRead"][];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    create_key_api_v1_account_api_keys_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ApiKeyCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyCreated"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    revoke_key_api_v1_account_api_keys__key_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    consent_status_api_v1_account_consent_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsentRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    consent_give_api_v1_account_consent_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConsentGive"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConsentRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    consent_withdraw_api_v1_account_consent_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    export_account_api_v1_account_export_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountExport"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    read_audit_api_v1_admin_audit_get: {
        parameters: {
            query?: {
                /** @description login, login.failure, user, api_key … */
                action?: string | null;
                /** @description The email of who did it */
                actor?: string | null;
                before_id?: number | null;
                limit?: number;
                /** @description From this instant (ISO 8601 with an offset), inclusive */
                since?: string | null;
                /** @description Up to this instant (with an offset), exclusive */
                until?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    export_audit_api_v1_admin_audit_export_get: {
        parameters: {
            query?: {
                /** @description login, login.failure, user, api_key … */
                action?: string | null;
                /** @description The email of who did it */
                actor?: string | null;
                format?: "csv" | "json";
                /** @description From this instant (ISO 8601 with an offset), inclusive */
                since?: string | null;
                /** @description Up to this instant (with an offset), exclusive */
                until?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                    "text/csv": unknown;
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    read_calendar_api_v1_admin_calendar_get: {
        parameters: {
            query?: {
                /** @description Default: this year */
                year?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CalendarRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    set_day_api_v1_admin_calendar__day__put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The date, YYYY-MM-DD */
                day: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CalendarOverride"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CalendarDayRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    unset_day_api_v1_admin_calendar__day__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The date, YYYY-MM-DD */
                day: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    refresh_api_v1_admin_calendar_refresh_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CalendarRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Upstox could not be reached; nothing was changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    run_ingest_api_v1_admin_ingest_run_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Done, already done, or nothing to do */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IngestRunRead"];
                };
            };
            /** @description Still running when the answer was due; it goes on */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IngestRunRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    read_universe_api_v1_admin_universe_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UniverseRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    update_universe_api_v1_admin_universe_put: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UniverseUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UniverseRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    list_users_api_v1_admin_users_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserRead"][];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    create_user_api_v1_admin_users_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    delete_user_api_v1_admin_users__user_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    update_user_api_v1_admin_users__user_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    invite_user_api_v1_admin_users_invite_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserInvite"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InviteAnswer"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Conflicts with the current state */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    login_api_v1_auth_login_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginAnswer"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    logout_api_v1_auth_logout_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    me_api_v1_auth_me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    change_password_api_v1_auth_password_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordChange"];
            };
        };
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request cannot be done as asked */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    disconnect_api_v1_broker_upstox_delete: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DisconnectAnswer"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not an admin (or the CSRF token is missing), or not our Upstox app */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    upstox_callback_api_v1_broker_upstox_callback_get: {
        parameters: {
            query?: {
                code?: string | null;
                error?: string | null;
                state?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To /broker?result=connected (or the failure: see docs/broker.md) */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    connect_api_v1_broker_upstox_connect_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description To Upstox's login dialog */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not an admin (or the CSRF token is missing), or not our Upstox app */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not possible now: the Upstox app is not configured, or no token request is open */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    notifier_api_v1_broker_upstox_notifier_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    access_token: string;
                    client_id: string;
                    /** @description epoch milliseconds */
                    expires_at?: string;
                    /** @description epoch milliseconds */
                    issued_at?: string;
                    /** @enum {string} */
                    message_type: "access_token";
                    token_type?: string;
                    user_id?: string;
                };
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotifierAnswer"];
                };
            };
            /** @description Refused: the body or the token is not acceptable */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not an admin (or the CSRF token is missing), or not our Upstox app */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not possible now: the Upstox app is not configured, or no token request is open */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Upstox could not be reached; nothing was changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    request_token_api_v1_broker_upstox_request_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenRequestAnswer"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not an admin (or the CSRF token is missing), or not our Upstox app */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not possible now: the Upstox app is not configured, or no token request is open */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Upstox answered with an error */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Upstox could not be reached; nothing was changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    get_status_api_v1_broker_upstox_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BrokerStatus"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not an admin (or the CSRF token is missing), or not our Upstox app */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    paste_token_api_v1_broker_upstox_token_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenPaste"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenRead"];
                };
            };
            /** @description Refused: the body or the token is not acceptable */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not an admin (or the CSRF token is missing), or not our Upstox app */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Malformed request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Upstox could not be reached; nothing was changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    chain_api_v1_chain_get: {
        parameters: {
            query: {
                /** @description Minute, HH:MM IST or ISO 8601 (default: the latest) */
                at?: string | null;
                /** @description Trading day YYYY-MM-DD (default: the latest with data) */
                date?: string | null;
                /** @description Expiry date YYYY-MM-DD (default: the nearest tracked) */
                expiry?: string | null;
                /** @description Index symbol, e.g. NIFTY */
                instrument: string;
                /** @description Strikes each side of the ATM strike */
                strikes?: number | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The chain at the minute */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChainRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    greeks_strike_api_v1_greeks_strike_get: {
        parameters: {
            query: {
                /** @description Baseline minute, HH:MM IST or ISO 8601 (default 09:15) */
                baseline?: string | null;
                /** @description Trading day YYYY-MM-DD (default: the latest with data) */
                date?: string | null;
                /** @description Expiry date YYYY-MM-DD (default: the nearest tracked) */
                expiry?: string | null;
                /** @description json (default) or csv */
                format?: components["schemas"]["Format"] | null;
                /** @description Index symbol, e.g. NIFTY */
                instrument: string;
                /** @description CE (call) or PE (put) */
                side: components["schemas"]["Side"];
                /** @description Strike price */
                strike: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Columns, one entry per minute */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StrikeRead"];
                    "text/csv": string;
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    greeks_summary_api_v1_greeks_summary_get: {
        parameters: {
            query: {
                /** @description Baseline minute, HH:MM IST or ISO 8601 (default 09:15) */
                baseline?: string | null;
                /** @description Trading day YYYY-MM-DD (default: the latest with data) */
                date?: string | null;
                /** @description Upper edge of the delta band (inclusive) */
                delta_max?: number;
                /** @description Lower edge of the delta band (inclusive) */
                delta_min?: number;
                /** @description Expiry date YYYY-MM-DD (default: the nearest tracked) */
                expiry?: string | null;
                /** @description json (default) or csv */
                format?: components["schemas"]["Format"] | null;
                /** @description First minute, HH:MM IST or ISO 8601 */
                from?: string | null;
                /** @description Index symbol, e.g. NIFTY */
                instrument: string;
                /** @description Minutes per row */
                interval?: components["schemas"]["Interval"];
                /** @description dynamic: re-select each minute; fixed: keep the baseline's */
                selection?: components["schemas"]["Selection"];
                /** @description Last minute, HH:MM IST or ISO 8601 */
                to?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Columns, one entry per row (minute) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SummaryRead"];
                    "text/csv": string;
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    instruments_api_v1_instruments_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tracked indices */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstrumentsRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The input is malformed: the details name each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    documents_api_v1_legal_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentsRead"];
                };
            };
        };
    };
    document_api_v1_legal__name__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DocumentRead"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    sessions_api_v1_sessions_get: {
        parameters: {
            query: {
                /** @description Index symbol, e.g. NIFTY */
                instrument: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Days with data, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionsRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    status_api_v1_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The input is malformed: the details name each field */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    stream_api_v1_stream_get: {
        parameters: {
            query: {
                /** @description Baseline minute, HH:MM IST or ISO 8601 (default 09:15) */
                baseline?: string | null;
                /** @description Trading day YYYY-MM-DD (default: the latest with data) */
                date?: string | null;
                /** @description Upper edge of the delta band (inclusive) */
                delta_max?: number;
                /** @description Lower edge of the delta band (inclusive) */
                delta_min?: number;
                /** @description Expiry date YYYY-MM-DD (default: the nearest tracked) */
                expiry?: string | null;
                /** @description Index symbol, e.g. NIFTY */
                instrument: string;
                interval?: components["schemas"]["Interval"];
                selection?: components["schemas"]["Selection"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tracker_api_v1_tracker_get: {
        parameters: {
            query?: {
                /** @description Baseline minute, HH:MM IST or ISO 8601 (default 09:15) */
                baseline?: string | null;
                /** @description Trading day YYYY-MM-DD (default: the latest with data) */
                date?: string | null;
                /** @description Upper edge of the delta band (inclusive) */
                delta_max?: number;
                /** @description Lower edge of the delta band (inclusive) */
                delta_min?: number;
                /** @description Expiry date YYYY-MM-DD (default: the nearest tracked) */
                expiry?: string | null;
                /** @description First minute, HH:MM IST or ISO 8601 */
                from?: string | null;
                /** @description Index symbol, e.g. NIFTY (default: the first tracked, as /instruments lists them) */
                instrument?: string | null;
                /** @description Minutes per row */
                interval?: components["schemas"]["Interval"];
                /** @description dynamic: re-select each minute; fixed: keep the baseline's */
                selection?: components["schemas"]["Selection"];
                /** @description Last minute, HH:MM IST or ISO 8601 */
                to?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The four answers the tracker opens with */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TrackerRead"];
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    live_health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    live_health_live_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
    ready_health_ready_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description At least one check failed; the body names it */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    metrics_route_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The metrics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": unknown;
                };
            };
            /** @description Not signed in, or the credentials are wrong */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Signed in, but not allowed (role, scope, CSRF or origin) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many requests: see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
