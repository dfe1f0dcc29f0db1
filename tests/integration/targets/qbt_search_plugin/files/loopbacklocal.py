# VERSION: 1.00
# AUTHORS: community.qbittorrent integration tests
# A qBittorrent nova3 search engine plugin for the tests: it searches no site, it prints one result on 127.0.0.1.

from novaprinter import prettyPrinter


class loopbacklocal:
    url = "http://127.0.0.1"
    name = "Loopback Local"
    supported_categories = {"all": "0", "movies": "6"}

    def search(self, what, cat="all"):
        prettyPrinter(
            {
                "link": "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567",
                "name": f"Loopback result for {what}",
                "size": "1024",
                "seeds": 1,
                "leech": 0,
                "engine_url": self.url,
                "desc_link": self.url + "/",
            }
        )
