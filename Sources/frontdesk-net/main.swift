// The network helper of `frontdesk`: HTTP over URLSession, one frame (a JSON line, then the raw
// body) per request and answer on stdin/stdout (see NetworkHelperWire). It is started by
// NetworkHelperExchange and exits when its stdin closes. Keeping URLSession here keeps libcurl's libraries out of every desk start.
import FrontDeskURLSession

NetworkHelperService.run()
