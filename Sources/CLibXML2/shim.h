#ifndef ETL_CLIBXML2_SHIM_H
#define ETL_CLIBXML2_SHIM_H
// xmlversion.h first, then drop ICU: with it, a clean debug build of a target that imports
// both libxml2 and Foundation fails at random ("'UErrorCode' has different definitions").
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

/// `xmlFree` is a global function pointer, which Swift 6 treats as shared mutable state.
static inline void etl_xml_free(void *pointer) {
    xmlFree(pointer);
}
#endif
